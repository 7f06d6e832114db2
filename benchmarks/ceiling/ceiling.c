/*
 * The machine's ceiling for the matrix products of an RNN, on one core: y[m][n] = a[m][k] * w[k][n].
 *
 *   gcc -O3 -march=native -o ceiling ceiling.c -ldl
 *   ./ceiling SHAPES.tsv OUT.json [LIBOPENBLAS.so] [SECONDS_PER_REPETITION]
 *
 * Two kernels per shape, each reported as its best GFLOP/s over 5 repetitions (after a warm-up):
 *  - "own": AVX-512 intrinsics, weights packed once into 64-byte-aligned panels of 64 columns read as one
 *    sequential stream, the axpy form (broadcast an element of a, FMA into output accumulators), a 4 rows x 4
 *    vectors register block, and for leftover rows (a matrix-vector product) two interleaved sets of 4
 *    accumulators so that 8 FMA chains are in flight. The weights stay in place between calls, as an RNN's
 *    recurrent weights do between steps.
 *  - "openblas": cblas_sgemm of the OpenBLAS given on the command line (loaded with dlopen, one thread), which wins
 *    on the large products of the hoisted input projection and of the weight gradients.
 * Without AVX-512 the own kernel is skipped ("own": null).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef __AVX512F__
#include <immintrin.h>
#endif

#define NR 64

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static float *aligned(size_t count) {
    size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
    float *p = aligned_alloc(64, bytes ? bytes : 64);
    if (!p) {
        fprintf(stderr, "ceiling: out of memory\n");
        exit(1);
    }
    memset(p, 0, bytes);
    return p;
}

#ifdef __AVX512F__
static inline __attribute__((always_inline)) void block4(int nv, const float *a, int lda, const float *w, int k,
                                                          float *y, int ldy) {
    __m512 c[4][4];
#pragma GCC unroll 4
    for (int r = 0; r < 4; r++)
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++) c[r][v] = _mm512_setzero_ps();
    for (int kk = 0; kk < k; kk++) {
        const float *wp = w + (size_t)kk * NR;
        __m512 b[4];
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++) b[v] = _mm512_load_ps(wp + 16 * v);
#pragma GCC unroll 4
        for (int r = 0; r < 4; r++) {
            __m512 x = _mm512_set1_ps(a[(size_t)r * lda + kk]);
#pragma GCC unroll 4
            for (int v = 0; v < nv; v++) c[r][v] = _mm512_fmadd_ps(b[v], x, c[r][v]);
        }
    }
#pragma GCC unroll 4
    for (int r = 0; r < 4; r++)
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++) _mm512_storeu_ps(y + (size_t)r * ldy + 16 * v, c[r][v]);
}

static inline __attribute__((always_inline)) void row1(int nv, const float *a, const float *w, int k, float *y) {
    __m512 c[4], d[4];
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++) c[v] = d[v] = _mm512_setzero_ps();
    int kk = 0;
    for (; kk + 1 < k; kk += 2) {
        const float *wp = w + (size_t)kk * NR;
        __m512 x = _mm512_set1_ps(a[kk]);
        __m512 z = _mm512_set1_ps(a[kk + 1]);
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++) {
            c[v] = _mm512_fmadd_ps(_mm512_load_ps(wp + 16 * v), x, c[v]);
            d[v] = _mm512_fmadd_ps(_mm512_load_ps(wp + NR + 16 * v), z, d[v]);
        }
    }
    for (; kk < k; kk++) {
        __m512 x = _mm512_set1_ps(a[kk]);
#pragma GCC unroll 4
        for (int v = 0; v < nv; v++) c[v] = _mm512_fmadd_ps(_mm512_load_ps(w + (size_t)kk * NR + 16 * v), x, c[v]);
    }
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++) _mm512_storeu_ps(y + 16 * v, _mm512_add_ps(c[v], d[v]));
}

/* packed: panels of k x NR floats; y: m x (panels * NR) */
static void own(int m, int k, int n, const float *a, const float *packed, float *y) {
    int panels = (n + NR - 1) / NR, ldy = panels * NR;
    for (int p = 0; p < panels; p++) {
        const float *w = packed + (size_t)p * k * NR;
        int rem = n - p * NR;
        int nv = rem >= NR ? 4 : (rem + 15) / 16;
        int i = 0;
        for (; i + 3 < m; i += 4) {
            const float *ai = a + (size_t)i * k;
            float *yi = y + (size_t)i * ldy + p * NR;
            switch (nv) {
                case 4: block4(4, ai, k, w, k, yi, ldy); break;
                case 3: block4(3, ai, k, w, k, yi, ldy); break;
                case 2: block4(2, ai, k, w, k, yi, ldy); break;
                default: block4(1, ai, k, w, k, yi, ldy); break;
            }
        }
        for (; i < m; i++) {
            const float *ai = a + (size_t)i * k;
            float *yi = y + (size_t)i * ldy + p * NR;
            switch (nv) {
                case 4: row1(4, ai, w, k, yi); break;
                case 3: row1(3, ai, w, k, yi); break;
                case 2: row1(2, ai, w, k, yi); break;
                default: row1(1, ai, w, k, yi); break;
            }
        }
    }
}
#endif

typedef void (*sgemm_t)(int, int, int, int, int, int, float, const float *, int, const float *, int, float,
                        float *, int);
static sgemm_t sgemm;

enum { OWN, OPENBLAS };

static void call(int which, int m, int k, int n, const float *a, const float *packed, const float *w, float *y) {
#ifdef __AVX512F__
    if (which == OWN) {
        own(m, k, n, a, packed, y);
        return;
    }
#endif
    /* CblasRowMajor = 101, CblasNoTrans = 111 */
    sgemm(101, 111, 111, m, n, k, 1.0f, a, k, w, n, 0.0f, y, n);
}

static double best_gflops(int which, int m, int k, int n, double seconds, const float *a, const float *packed,
                          const float *w, float *y) {
    double flops = 2.0 * m * k * n, best = 0;
    double start = now();
    while (now() - start < seconds / 2) call(which, m, k, n, a, packed, w, y); /* warm-up */
    for (int rep = 0; rep < 5; rep++) {
        long calls = 0;
        double t0 = now(), t;
        do {
            call(which, m, k, n, a, packed, w, y);
            calls++;
            t = now() - t0;
        } while (t < seconds);
        double g = flops * calls / t * 1e-9;
        if (g > best) best = g;
    }
    return best;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: ceiling SHAPES.tsv OUT.json [LIBOPENBLAS.so] [SECONDS]\n");
        return 2;
    }
    const char *blas = argc > 3 && argv[3][0] ? argv[3] : NULL;
    double seconds = argc > 4 ? atof(argv[4]) : 0.1;
    const char *config = NULL;
    if (blas) {
        void *lib = dlopen(blas, RTLD_NOW);
        if (!lib) {
            fprintf(stderr, "ceiling: %s\n", dlerror());
            return 1;
        }
        sgemm = (sgemm_t)dlsym(lib, "cblas_sgemm");
        void (*threads)(int) = (void (*)(int))dlsym(lib, "openblas_set_num_threads");
        char *(*get_config)(void) = (char *(*)(void))dlsym(lib, "openblas_get_config");
        if (threads) threads(1);
        if (get_config) config = get_config();
        if (!sgemm) {
            fprintf(stderr, "ceiling: no cblas_sgemm in %s\n", blas);
            return 1;
        }
    }
    FILE *in = fopen(argv[1], "r");
    FILE *out = fopen(argv[2], "w");
    if (!in || !out) {
        perror("ceiling");
        return 1;
    }
    fprintf(out, "{\n \"compiler\": \"gcc %s\",\n \"flags\": \"-O3 -march=native\",\n \"avx512\": %s,\n",
            __VERSION__,
#ifdef __AVX512F__
            "true"
#else
            "false"
#endif
    );
    fprintf(out, " \"openblas\": ");
    if (blas) fprintf(out, "\"%s\",\n \"openblas_config\": \"%s\",\n", blas, config ? config : "");
    else fprintf(out, "null,\n");
    fprintf(out, " \"seconds_per_repetition\": %g,\n \"results\": [", seconds);
    char line[256];
    int first = 1;
    while (fgets(line, sizeof line, in)) {
        int m, k, n;
        if (line[0] == '#' || sscanf(line, "%d %d %d", &m, &k, &n) != 3) continue;
        int panels = (n + NR - 1) / NR;
        float *a = aligned((size_t)m * k), *w = aligned((size_t)k * n);
        float *packed = aligned((size_t)panels * k * NR), *y = aligned((size_t)m * panels * NR);
        srand(1);
        for (size_t i = 0; i < (size_t)m * k; i++) a[i] = rand() / (float)RAND_MAX - 0.5f;
        for (size_t i = 0; i < (size_t)k * n; i++) w[i] = rand() / (float)RAND_MAX - 0.5f;
        for (int kk = 0; kk < k; kk++)
            for (int j = 0; j < n; j++) packed[(size_t)(j / NR) * k * NR + (size_t)kk * NR + j % NR] = w[(size_t)kk * n + j];
        double own_g = -1, blas_g = -1;
#ifdef __AVX512F__
        own_g = best_gflops(OWN, m, k, n, seconds, a, packed, w, y);
#endif
        if (sgemm) blas_g = best_gflops(OPENBLAS, m, k, n, seconds, a, packed, w, y);
        fprintf(out, "%s\n  {\"m\": %d, \"k\": %d, \"n\": %d, \"own\": ", first ? "" : ",", m, k, n);
        if (own_g >= 0) fprintf(out, "%.3f", own_g); else fprintf(out, "null");
        fprintf(out, ", \"openblas\": ");
        if (blas_g >= 0) fprintf(out, "%.3f}", blas_g); else fprintf(out, "null}");
        fflush(out);
        printf("ceiling %6d x %6d x %6d  own %7.2f  openblas %7.2f GFLOP/s\n", m, k, n, own_g, blas_g);
        fflush(stdout);
        first = 0;
        free(a); free(w); free(packed); free(y);
    }
    fprintf(out, "\n ]\n}\n");
    fclose(out);
    return 0;
}
