package dev.spikeforge.compiler.target;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small table of figures as data: typed columns and rows, which reports render as aligned
 * text, as JSON objects (one per row, keyed by the columns' keys) and as HTML.
 */
public record FigureTable(List<Column> columns, List<List<Object>> rows) {

    public FigureTable {
        columns = List.copyOf(columns);
        List<List<Object>> copy = new ArrayList<>();
        for (List<Object> r : rows) {
            if (r.size() != columns.size()) {
                throw new IllegalArgumentException("a row of " + r.size() + " cells in a table of " + columns.size()
                        + " columns");
            }
            copy.add(java.util.Collections.unmodifiableList(new ArrayList<>(r)));
        }
        rows = List.copyOf(copy);
    }

    public static FigureTable empty() {
        return new FigureTable(List.of(), List.of());
    }

    public boolean isEmpty() {
        return rows.isEmpty();
    }

    /**
     * A column.
     *
     * @param key    the JSON key
     * @param header the text header
     * @param format a {@link String#format} pattern for a cell ({@code %d}, {@code %.1f}, {@code %s})
     * @param left   text alignment: left for names, right for numbers
     */
    public record Column(String key, String header, String format, boolean left) {

        public static Column name(String key, String header) {
            return new Column(key, header, "%s", true);
        }

        public static Column number(String key, String header, String format) {
            return new Column(key, header, format, false);
        }

        public String cell(Object value) {
            return value == null ? "-" : String.format(Locale.ROOT, format, value);
        }
    }

    /** The table as aligned text lines: two spaces between columns, no trailing blanks. */
    public List<String> text() {
        List<String[]> cells = new ArrayList<>();
        cells.add(columns.stream().map(Column::header).toArray(String[]::new));
        for (List<Object> r : rows) {
            String[] c = new String[columns.size()];
            for (int i = 0; i < c.length; i++) {
                c[i] = columns.get(i).cell(r.get(i));
            }
            cells.add(c);
        }
        int[] w = new int[columns.size()];
        for (String[] r : cells) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        List<String> out = new ArrayList<>();
        for (String[] r : cells) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                String pad = " ".repeat(w[i] - r[i].length());
                line.append(i == 0 ? "" : "  ").append(columns.get(i).left() ? r[i] + pad : pad + r[i]);
            }
            out.add(line.toString().stripTrailing());
        }
        return out;
    }
}
