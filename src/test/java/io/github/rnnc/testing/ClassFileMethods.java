package io.github.rnnc.testing;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A minimal class-file reader (JVMS chapter 4, no ASM): the methods of a class and the length of each one's
 * bytecode, i.e. the {@code code_length} of its {@code Code} attribute. HotSpot does not JIT-compile methods
 * whose bytecode exceeds 8000 bytes ({@code -XX:-DontCompileHugeMethods} aside), which is what generated code
 * has to stay under.
 */
public final class ClassFileMethods {
    private static final int MAGIC = 0xCAFEBABE;

    /** A method; {@code codeLength} is -1 for methods without a {@code Code} attribute (abstract, native). */
    public record Method(String name, String descriptor, int codeLength) {
        /** {@code name + descriptor}, e.g. {@code forward([FII[F)V}. */
        public String key() {
            return name + descriptor;
        }
    }

    /** The class's own binary name and its methods in class-file order. */
    public record ClassMethods(String className, List<Method> methods) {
        public ClassMethods {
            methods = List.copyOf(methods);
        }

        /** name+descriptor to code length. */
        public Map<String, Integer> codeLengths() {
            Map<String, Integer> lengths = new LinkedHashMap<>();
            for (Method m : methods) {
                lengths.put(m.key(), m.codeLength());
            }
            return lengths;
        }

        public Optional<Method> largest() {
            return methods.stream().max(Comparator.comparingInt(Method::codeLength));
        }
    }

    private ClassFileMethods() {
    }

    /** name+descriptor to bytecode length, in class-file order. */
    public static Map<String, Integer> codeLengths(byte[] classFile) {
        return read(classFile).codeLengths();
    }

    public static ClassMethods read(byte[] classFile) {
        try {
            return parse(new DataInputStream(new ByteArrayInputStream(classFile)));
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated or malformed class file", e);
        }
    }

    private static ClassMethods parse(DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new IllegalArgumentException("not a class file (bad magic)");
        }
        in.readUnsignedShort(); // minor_version
        in.readUnsignedShort(); // major_version
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        int[] classNameIndex = new int[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1 -> utf8[i] = in.readUTF(); // CONSTANT_Utf8: u2 length + modified UTF-8, as readUTF expects
                case 3, 4 -> in.readInt(); // Integer, Float
                case 5, 6 -> { // Long, Double take two entries
                    in.readLong();
                    i++;
                }
                case 7 -> classNameIndex[i] = in.readUnsignedShort(); // Class
                case 8, 16, 19, 20 -> in.readUnsignedShort(); // String, MethodType, Module, Package
                case 9, 10, 11, 12, 17, 18 -> in.readInt(); // refs, NameAndType, Dynamic, InvokeDynamic
                case 15 -> { // MethodHandle
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                }
                default -> throw new IllegalArgumentException("unknown constant pool tag " + tag + " at " + i);
            }
        }
        in.readUnsignedShort(); // access_flags
        int thisClass = in.readUnsignedShort();
        String className = utf8(utf8, classNameIndex[thisClass]).replace('/', '.');
        in.readUnsignedShort(); // super_class
        int interfaces = in.readUnsignedShort();
        skip(in, 2L * interfaces);
        int fields = in.readUnsignedShort();
        for (int i = 0; i < fields; i++) {
            skip(in, 6); // access_flags, name_index, descriptor_index
            skipAttributes(in);
        }
        int methodCount = in.readUnsignedShort();
        List<Method> methods = new ArrayList<>(methodCount);
        for (int i = 0; i < methodCount; i++) {
            in.readUnsignedShort(); // access_flags
            String name = utf8(utf8, in.readUnsignedShort());
            String descriptor = utf8(utf8, in.readUnsignedShort());
            int codeLength = -1;
            int attributes = in.readUnsignedShort();
            for (int a = 0; a < attributes; a++) {
                String attribute = utf8(utf8, in.readUnsignedShort());
                long length = in.readInt() & 0xFFFFFFFFL;
                if (attribute.equals("Code")) {
                    in.readUnsignedShort(); // max_stack
                    in.readUnsignedShort(); // max_locals
                    long code = in.readInt() & 0xFFFFFFFFL;
                    if (code > Integer.MAX_VALUE || code + 8 > length) {
                        throw new IllegalArgumentException("bad code_length " + code + " in " + name);
                    }
                    codeLength = (int) code;
                    skip(in, length - 8);
                } else {
                    skip(in, length);
                }
            }
            methods.add(new Method(name, descriptor, codeLength));
        }
        return new ClassMethods(className, methods);
    }

    private static String utf8(String[] pool, int index) {
        if (index <= 0 || index >= pool.length || pool[index] == null) {
            throw new IllegalArgumentException("constant pool entry " + index + " is not a Utf8");
        }
        return pool[index];
    }

    private static void skipAttributes(DataInputStream in) throws IOException {
        int attributes = in.readUnsignedShort();
        for (int a = 0; a < attributes; a++) {
            in.readUnsignedShort(); // attribute_name_index
            skip(in, in.readInt() & 0xFFFFFFFFL);
        }
    }

    private static void skip(DataInputStream in, long n) throws IOException {
        long left = n;
        while (left > 0) {
            int step = (int) Math.min(left, Integer.MAX_VALUE);
            int skipped = in.skipBytes(step);
            if (skipped <= 0) {
                throw new IOException("unexpected end of class file");
            }
            left -= skipped;
        }
    }
}
