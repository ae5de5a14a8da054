package dev.spikeforge.compiler.util;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Runs independent samples on several threads, as the integer model and the emulators do: the
 * inputs are cut into one contiguous share per thread, each share gets its own mutable state from
 * {@code state}, and the results come back in input order.
 */
public final class Parallel {

    private Parallel() {
    }

    public static <S, R> List<R> map(int[][] inputs, int threads, String threadName, Supplier<S> state,
                                     BiFunction<S, int[], R> run) {
        if (threads <= 1 || inputs.length < 2) {
            S s = state.get();
            List<R> out = new ArrayList<>(inputs.length);
            for (int[] in : inputs) {
                out.add(run.apply(s, in));
            }
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        try {
            int chunk = (inputs.length + threads - 1) / threads;
            List<Future<List<R>>> parts = new ArrayList<>();
            for (int from = 0; from < inputs.length; from += chunk) {
                int lo = from;
                int hi = Math.min(inputs.length, from + chunk);
                parts.add(pool.submit(() -> {
                    S s = state.get();
                    List<R> part = new ArrayList<>(hi - lo);
                    for (int i = lo; i < hi; i++) {
                        part.add(run.apply(s, inputs[i]));
                    }
                    return part;
                }));
            }
            List<R> out = new ArrayList<>(inputs.length);
            for (Future<List<R>> f : parts) {
                out.addAll(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            // an Error of a worker (OutOfMemoryError, StackOverflowError) reaches the caller as
            // itself, so the command line reports it as it would on the calling thread
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
