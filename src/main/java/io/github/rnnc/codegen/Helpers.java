package io.github.rnnc.codegen;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeName;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * The scalar math helpers of a generated class. In float, tanh is a rational approximation evaluated with FMAs
 * (within 3e-7 of tanh), the same formula as the vector code that {@link VectorMath} writes in place, so both
 * backends and every JIT tier agree; sigmoid is 0.5 tanh(x / 2) + 0.5. In double (gradient checks) they are the
 * exact library functions.
 */
final class Helpers {
    // Odd numerator and even denominator of the rational tanh, in x^2 (as in Eigen's fast tanh).
    static final double[] NUMERATOR = {4.89352455891786e-03, 6.37261928875436e-04, 1.48572235717979e-05,
        5.12229709037114e-08, -8.60467152213735e-11, 2.00018790482477e-13, -2.76076847742355e-16};
    static final double[] DENOMINATOR = {4.89352518554385e-03, 2.26843463243900e-03, 1.18534705686654e-04,
        1.19825839466702e-06};
    static final double CLAMP = 7.90531110763549805;

    private Helpers() {
    }

    static List<MethodSpec> methods(Target target) {
        List<MethodSpec> methods = new ArrayList<>();
        TypeName e = target.elemType();
        methods.add(scalar("tanh", e, target.f64() ? "return Math.tanh(x)" : null, target));
        methods.add(scalar("sigmoid", e, target.f64() ? "return 1.0 / (1.0 + Math.exp(-x))"
                : "return 0.5f * tanh(0.5f * x) + 0.5f", target));
        methods.add(MethodSpec.methodBuilder("hardSigmoidSlope").addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(e).addParameter(e, "x")
                .addStatement("$T u = $L * x + $L", e, target.literal(0.2), target.literal(0.5))
                .addStatement("return u > $L && u < $L ? $L : $L", target.literal(0), target.literal(1),
                        target.literal(0.2), target.literal(0))
                .build());
        return methods;
    }

    private static MethodSpec scalar(String name, TypeName e, String body, Target target) {
        MethodSpec.Builder method = MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
                .returns(e).addParameter(e, "a");
        if (body != null) {
            return method.addStatement("$T x = a", e).addStatement(body).build();
        }
        String c = target.literal(CLAMP);
        method.addStatement("float x = Math.max(-$L, Math.min($L, a))", c, c);
        method.addStatement("float x2 = x * x");
        method.addStatement("float p = Math.fma(x2, $L, $L)", target.literal(NUMERATOR[6]),
                target.literal(NUMERATOR[5]));
        for (int k = 4; k >= 0; k--) {
            method.addStatement("p = Math.fma(x2, p, $L)", target.literal(NUMERATOR[k]));
        }
        method.addStatement("float q = Math.fma(x2, $L, $L)", target.literal(DENOMINATOR[3]),
                target.literal(DENOMINATOR[2]));
        for (int k = 1; k >= 0; k--) {
            method.addStatement("q = Math.fma(x2, q, $L)", target.literal(DENOMINATOR[k]));
        }
        return method.addStatement("return x * p / q").build();
    }
}
