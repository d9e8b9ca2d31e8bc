package dev.kfptribuo.localrun.report;

import java.io.Writer;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * A small writer of HTML (and inline SVG) elements over the JDK's {@link XMLStreamWriter}, which
 * escapes every text and attribute value: the report never concatenates markup.
 */
final class Html {
    private final XMLStreamWriter xml;

    Html(Writer out) {
        try {
            this.xml = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the HTML5 doctype. */
    Html doctype() {
        try {
            xml.writeDTD("<!DOCTYPE html>\n");
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    /**
     * Opens an element.
     *
     * @param tag the element name
     * @param attributes name, value pairs; a null value leaves the attribute out
     */
    Html open(String tag, Object... attributes) {
        try {
            xml.writeStartElement(tag);
            for (int i = 0; i + 1 < attributes.length; i += 2) {
                if (attributes[i + 1] != null) {
                    xml.writeAttribute(attributes[i].toString(), attributes[i + 1].toString());
                }
            }
            // An explicit empty text keeps the start tag open-ended (<td></td>, never <td/>), as
            // HTML needs.
            xml.writeCharacters("");
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    /**
     * Writes a void element ({@code <meta/>}), which HTML allows self-closed.
     *
     * @param tag the element name
     * @param attributes name, value pairs
     */
    Html empty(String tag, Object... attributes) {
        try {
            xml.writeEmptyElement(tag);
            for (int i = 0; i + 1 < attributes.length; i += 2) {
                if (attributes[i + 1] != null) {
                    xml.writeAttribute(attributes[i].toString(), attributes[i + 1].toString());
                }
            }
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    /** Closes the innermost open element. */
    Html close() {
        try {
            xml.writeEndElement();
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    /** Writes escaped text. */
    Html text(Object text) {
        try {
            xml.writeCharacters(text == null ? "" : text.toString());
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
        return this;
    }

    /** Writes an element holding only text. */
    Html element(String tag, Object text, Object... attributes) {
        return open(tag, attributes).text(text).close();
    }

    /** Flushes the writer. */
    void finish() {
        try {
            xml.flush();
        } catch (XMLStreamException e) {
            throw new IllegalStateException(e);
        }
    }
}
