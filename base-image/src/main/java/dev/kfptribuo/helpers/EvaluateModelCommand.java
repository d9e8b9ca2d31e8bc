package dev.kfptribuo.helpers;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder, replaced by the evaluate_model component. */
@Command(name = "evaluate-model", mixinStandardHelpOptions = true)
final class EvaluateModelCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UnsupportedOperationException("not yet");
    }
}
