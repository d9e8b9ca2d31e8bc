package dev.kfptribuo.localrun.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The printed serve and curl lines' words (the lines themselves: ContinuousTrainingIT runs them).
 */
class ServeInstructionsTest {
    @Test
    void shellWordsAreQuotedWhenTheyMustBe() {
        assertEquals("bin/serve", ServeInstructions.shell("bin/serve"));
        assertEquals("'/tmp/my registry'", ServeInstructions.shell("/tmp/my registry"));
        assertEquals("'{\"a\": \"it'\\''s\"}'", ServeInstructions.shell("{\"a\": \"it's\"}"));
    }
}
