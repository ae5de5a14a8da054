package dev.spikeforge.spark;

import dev.spikeforge.cli.Main;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The main class of {@code spikeforge-spark.jar}: the commands that run on Apache Spark, which
 * the launcher sends here (every other command runs the main jar, which has no Spark in it):
 * {@code sweep ...} ({@link SweepMain}) and {@code verify ... --master URL}, the cli's own verify
 * command (same options, output and exit codes) verifying through {@link ShardedVerify}.
 */
public final class SparkMain {

    static final String USAGE = "spikeforge-spark.jar runs the commands of spikeforge that use Apache Spark:\n"
            + "  sweep MODEL --grid GRID.json ...              a design-space sweep (sweep --help)\n"
            + "  verify MODEL --checkpoint C --master URL ...  verification cut into tasks (verify --help)\n"
            + "Every other command runs the main jar, cli/target/spikeforge.jar; the launcher ./spikeforge picks the jar.";

    private SparkMain() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("verify")) {
            // the main jar's main, with its handling of uncaught exceptions and exit codes
            Main.main(args, new ShardedVerify(System.err));
        }
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command line; returns its exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        String command = args.length == 0 ? "" : args[0];
        switch (command) {
            case "sweep":
                return SweepMain.run(Arrays.copyOfRange(args, 1, args.length), out, err);
            case "verify":
                PrintWriter o = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
                PrintWriter e = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
                return Main.run(args, o, e, new ShardedVerify(err));
            case "--help", "-h":
                out.println(USAGE);
                out.flush();
                return 0;
            default:
                err.println((command.isEmpty() ? "spikeforge-spark.jar: no command given" : "spikeforge-spark.jar: '"
                        + command + "' is not one of its commands") + "\n" + USAGE);
                err.flush();
                return 2;
        }
    }
}
