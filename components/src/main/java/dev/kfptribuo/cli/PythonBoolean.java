package dev.kfptribuo.cli;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A boolean flag value as the lab's Python programs take it ({@code --hptune True}, {@code
 * --replace_existing_version False}): {@code True} or {@code False} in any case, also {@code 1}/
 * {@code 0} and {@code yes}/{@code no}, as tuning services and shell scripts write them.
 */
public final class PythonBoolean implements ITypeConverter<Boolean> {
    /**
     * @throws TypeConversionException if the value is none of the spellings (picocli then reports a
     *     usage error naming the flag)
     */
    @Override
    public Boolean convert(String value) {
        return parse(value);
    }

    /**
     * For a {@code String} option: picocli gives a {@code boolean} option's empty value ({@code
     * --flag ""}) no converter and reads it as false, where this refuses it.
     *
     * @param value the flag's value
     * @return the boolean
     * @throws TypeConversionException if the value is none of the spellings, or empty
     */
    public static boolean parse(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new TypeConversionException("'" + value + "' is not True or False");
        };
    }
}
