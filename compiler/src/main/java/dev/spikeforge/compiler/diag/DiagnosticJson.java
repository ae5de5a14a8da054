package dev.spikeforge.compiler.diag;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** Diagnostics as JSON objects: file, line, column, length, severity, code, name, message, help. */
public final class DiagnosticJson {

    private DiagnosticJson() {
    }

    public static ArrayNode of(String fileName, List<Diagnostic> diagnostics) {
        ArrayNode arr = JsonNodeFactory.instance.arrayNode();
        for (Diagnostic d : Diagnostics.sorted(diagnostics)) {
            ObjectNode o = arr.addObject();
            o.put("file", fileName);
            o.put("line", d.pos().line());
            o.put("column", d.pos().column());
            o.put("length", d.pos().length());
            o.put("severity", d.severity().label());
            o.put("code", d.code().name());
            o.put("name", d.code().slug());
            o.put("message", d.message());
            if (d.help() == null) {
                o.putNull("help");
            } else {
                o.put("help", d.help());
            }
        }
        return arr;
    }
}
