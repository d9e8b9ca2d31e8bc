package dev.kfptribuo.helpers;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Placeholder, replaced by the retrieve_best_run component. */
@Command(name = "retrieve-best-run", mixinStandardHelpOptions = true)
final class RetrieveBestRunCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UnsupportedOperationException("not yet");
    }
}
