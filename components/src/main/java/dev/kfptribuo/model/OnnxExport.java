package dev.kfptribuo.model;

import ai.onnx.proto.OnnxMl;
import java.util.Map;
import org.tribuo.ONNXExportable;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXNode;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;

/**
 * The ONNX form of a trained model: Tribuo's own export of the {@link LinearSGDModel} graph ({@link
 * ONNXExportable}), plus, for the log loss, scikit-learn's one-vs-rest probabilities as a second
 * output, so that ONNX Runtime, Triton or BigQuery ML users get {@code predict_proba} without
 * arithmetic of their own.
 *
 * <p>The graph (opset {@value #OPSET}, float32 throughout, as Tribuo exports):
 *
 * <ul>
 *   <li>input {@value #INPUT}: {@code float32[batch, features]}, the features in the model's
 *       feature-ID order (the manifest's {@code features});
 *   <li>output {@value #SCORES}: {@code float32[batch, labels]}, the decision values {@code w·x +
 *       b}, the labels in the model's output order (the manifest's {@code labels}); Tribuo's
 *       export, unchanged;
 *   <li>output {@value #PROBABILITIES} (log loss only): {@code sigmoid(scores)} divided by its sum
 *       over the labels.
 * </ul>
 *
 * Tribuo's provenance is in the metadata property {@value
 * ONNXExportable#PROVENANCE_METADATA_FIELD}.
 */
public final class OnnxExport {
    /** The input's name. */
    public static final String INPUT = "input";

    /** The decision values' output name (Tribuo's). */
    public static final String SCORES = "output";

    /** The probabilities' output name. */
    public static final String PROBABILITIES = "probabilities";

    /** The ONNX opset of the graph, Tribuo 4.3's. */
    public static final int OPSET = 13;

    /** The model's ONNX domain. */
    public static final String DOMAIN = "dev.kfptribuo";

    private OnnxExport() {}

    /**
     * @param model the trained model
     * @param probabilities whether to add the {@value #PROBABILITIES} output (log-loss models)
     * @return the ONNX model's bytes
     */
    public static byte[] export(LinearSGDModel model, boolean probabilities) {
        ONNXContext context = new ONNXContext();
        context.setName("kfp-tribuo-linear-sgd");
        ONNXPlaceholder input = context.floatInput(INPUT, model.getFeatureIDMap().size());
        int labels = model.getOutputIDInfo().size();
        ONNXNode scores = model.writeONNXGraph(input);
        scores.assignTo(context.floatOutput(SCORES, labels));
        if (probabilities) {
            ONNXNode sigmoid = scores.apply(ONNXOperators.SIGMOID);
            ONNXNode sum =
                    sigmoid.apply(
                            ONNXOperators.REDUCE_SUM,
                            context.array("axes", new long[] {1}),
                            Map.of("keepdims", 1));
            sigmoid.apply(ONNXOperators.DIV, sum)
                    .assignTo(context.floatOutput(PROBABILITIES, labels));
        }
        OnnxMl.ModelProto proto = ONNXExportable.buildModel(context, DOMAIN, 1, model);
        return proto.toByteArray();
    }
}
