package dev.spikeforge.pipeline;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The background synthesis thread of {@code run}: its Errors reach the caller as themselves. */
class RunningJoinTest {

    @Test
    void anOutOfMemoryErrorOnTheSynthesisThreadIsRethrownAsItself() {
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        assertSame(oom, assertThrows(OutOfMemoryError.class,
                () -> Running.join(CompletableFuture.failedFuture(oom))));
        StackOverflowError soe = new StackOverflowError();
        assertSame(soe, assertThrows(StackOverflowError.class,
                () -> Running.join(CompletableFuture.failedFuture(soe))));
    }
}
