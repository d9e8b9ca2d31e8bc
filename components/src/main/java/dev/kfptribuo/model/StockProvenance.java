package dev.kfptribuo.model;

import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.BooleanProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import org.tribuo.MutableDataset;
import org.tribuo.Tribuo;
import org.tribuo.classification.sgd.linear.LinearSGDModel;
import org.tribuo.provenance.DataProvenance;
import org.tribuo.provenance.DatasetProvenance;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.provenance.impl.TimestampedTrainerProvenance;

/**
 * Provenance for the models this project saves, made of Tribuo's and OLCUT's own classes only, so
 * that stock Tribuo loads a saved model without any class of ours.
 *
 * <p>Tribuo restores a provenance by reflection on every class it names (provenance classes, enums,
 * normalizers), so a project class anywhere in it makes the model unloadable without the project's
 * jar. The trainer is therefore recorded as Tribuo's {@link TimestampedTrainerProvenance} ("no
 * Tribuo trainer was involved": the epoch loop is ours) and what the fit did as primitive instance
 * values; the manifest beside the model holds the full record.
 */
final class StockProvenance {
    private StockProvenance() {}

    /**
     * Tribuo's dataset provenance for rows that never became a Tribuo {@code Dataset}: the
     * provenance of the {@link MutableDataset} with the same rows, features and labels.
     *
     * @param source where the rows came from
     * @param rows the number of rows
     * @param features the number of features
     * @param outputs the number of labels
     * @return the provenance, restored by Tribuo's own deserialisation constructor
     */
    static DatasetProvenance dataset(DataProvenance source, int rows, int features, int outputs) {
        // DatasetProvenance's full constructor is protected; its public form is the map Tribuo
        // itself deserialises, with the field names of DatasetProvenance.
        Map<String, Provenance> map = new HashMap<>();
        map.put(
                ObjectProvenance.CLASS_NAME,
                new StringProvenance(ObjectProvenance.CLASS_NAME, MutableDataset.class.getName()));
        map.put("datasource", source);
        map.put("transformations", new ListProvenance<>());
        map.put("is-dense", new BooleanProvenance("is-dense", false));
        map.put("is-sequence", new BooleanProvenance("is-sequence", false));
        map.put("num-examples", new IntProvenance("num-examples", rows));
        map.put("num-features", new IntProvenance("num-features", features));
        map.put("num-outputs", new IntProvenance("num-outputs", outputs));
        map.put("tribuo-version", new StringProvenance("tribuo-version", Tribuo.VERSION));
        return new DatasetProvenance(map);
    }

    /**
     * @param dataset the training data's provenance
     * @param instanceValues what the fit did, as primitive provenances keyed by name
     * @return the provenance of a {@link LinearSGDModel} created now
     */
    static ModelProvenance model(
            DatasetProvenance dataset, Map<String, Provenance> instanceValues) {
        return new ModelProvenance(
                LinearSGDModel.class.getName(),
                OffsetDateTime.now(),
                dataset,
                new TimestampedTrainerProvenance(),
                instanceValues);
    }
}
