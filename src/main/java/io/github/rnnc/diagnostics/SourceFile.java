package io.github.rnnc.diagnostics;

import java.util.Arrays;

/**
 * The text of one spec file and the name it is reported under. Identity equality on purpose: two files with the
 * same text are still two places.
 */
public final class SourceFile {
    private final String displayPath;
    private final String text;
    private final int[] lineStarts;
    /** Char offset of each code point, or null when the text has no surrogate pairs (then they coincide). */
    private final int[] codePointOffsets;

    public SourceFile(String displayPath, String text) {
        this.displayPath = displayPath;
        this.text = text;
        int[] starts = new int[16];
        int count = 0;
        starts[count++] = 0;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            boolean newline = ch == '\n' || (ch == '\r' && (i + 1 >= text.length() || text.charAt(i + 1) != '\n'));
            if (newline) {
                if (count == starts.length) {
                    starts = Arrays.copyOf(starts, count * 2);
                }
                starts[count++] = i + 1;
            }
        }
        this.lineStarts = Arrays.copyOf(starts, count);
        this.codePointOffsets = text.codePointCount(0, text.length()) == text.length() ? null
                : text.codePoints().map(new java.util.function.IntUnaryOperator() {
                    private int offset;

                    @Override
                    public int applyAsInt(int codePoint) {
                        int at = offset;
                        offset += Character.charCount(codePoint);
                        return at;
                    }
                }).toArray();
    }

    /** The char offset of a code point index (ANTLR counts code points; Java strings count chars). */
    public int charOffset(int codePointIndex) {
        if (codePointOffsets == null || codePointIndex < 0) {
            return Math.max(0, Math.min(codePointIndex, text.length()));
        }
        return codePointIndex >= codePointOffsets.length ? text.length() : codePointOffsets[codePointIndex];
    }

    public String displayPath() {
        return displayPath;
    }

    public String text() {
        return text;
    }

    public int length() {
        return text.length();
    }

    /** 1-based line of a character offset (an offset at the end of the text belongs to the last line). */
    public int lineOf(int offset) {
        int index = Arrays.binarySearch(lineStarts, clamp(offset));
        return index >= 0 ? index + 1 : -index - 1;
    }

    /** 1-based column of a character offset. */
    public int columnOf(int offset) {
        int clamped = clamp(offset);
        return clamped - lineStarts[lineOf(clamped) - 1] + 1;
    }

    /** The text of a 1-based line without its line terminator. */
    public String lineText(int line) {
        int start = lineStarts[line - 1];
        int end = line < lineStarts.length ? lineStarts[line] : text.length();
        while (end > start && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
            end--;
        }
        return text.substring(start, end);
    }

    /** Offset just past the last character of a 1-based line, before its terminator. */
    public int lineEnd(int line) {
        return lineStarts[line - 1] + lineText(line).length();
    }

    private int clamp(int offset) {
        return Math.max(0, Math.min(offset, text.length()));
    }

    @Override
    public String toString() {
        return displayPath;
    }
}
