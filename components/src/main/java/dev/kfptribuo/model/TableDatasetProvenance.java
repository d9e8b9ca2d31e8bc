package dev.kfptribuo.model;

import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import java.util.Map;
import org.tribuo.provenance.DataProvenance;
import org.tribuo.provenance.DatasetProvenance;

/**
 * The dataset provenance of a model trained from {@link TrainingRows#of(dev.kfptribuo.data.Table)}:
 * Tribuo's {@link DatasetProvenance} with the source, row, feature and output counts, for rows that
 * never became a Tribuo {@code Dataset}.
 */
public final class TableDatasetProvenance extends DatasetProvenance {
    private static final long serialVersionUID = 1L;

    TableDatasetProvenance(DataProvenance source, int rows, int features, int outputs) {
        super(source, new ListProvenance<>(), TrainingRows.class.getName(), false, false, rows, features, outputs);
    }

    /**
     * Restores the provenance from its marshalled form, as Tribuo does when it loads a model.
     *
     * @param map the marshalled fields
     */
    public TableDatasetProvenance(Map<String, Provenance> map) {
        super(map);
    }
}
