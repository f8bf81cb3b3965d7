/*
 * make_vectors.c - write the golden GLF vectors: one <name>.bin per case plus manifest.json
 * with the decoded values each reader must produce (raw counts and scaled units).
 *
 * usage: make_vectors OUTDIR
 *
 * Host-only tool: it uses stdio and prints the scaled values with %.17g, which round-trips
 * exactly through any IEEE-754 JSON reader (count * range / 32768 is exact in a double).
 */
#include <stdio.h>
#include <string.h>

#include "cases.h"

static glf_case_t cases[96];

static void print_rows(FILE *f, const int16_t *v, size_t n, unsigned k, unsigned first, unsigned count,
                       unsigned range)
{
    size_t i;
    unsigned j;
    fputc('[', f);
    for (i = 0; i < n; i++) {
        fputs(i ? ", [" : "[", f);
        for (j = 0; j < count; j++) {
            long raw = (long)v[i * k + first + j];
            if (range == 0u) {
                fprintf(f, j ? ", %ld" : "%ld", raw);
            } else {
                fprintf(f, j ? ", %.17g" : "%.17g", (double)raw * (double)range / 32768.0);
            }
        }
        fputc(']', f);
    }
    fputc(']', f);
}

static void print_frame(FILE *f, const glf_case_t *c)
{
    const glf_header_t *h = &c->hdr;
    unsigned k = glf_channels(h->layout);
    size_t i;
    fprintf(f,
            ",\n     \"header\": {\"version\": %u, \"header_len\": %u, \"layout\": %u, \"channels\": %u, "
            "\"crc\": %s, \"n\": %u, \"seq\": %u, \"odr_hz\": %u, \"t0_us\": %lu, "
            "\"gyro_range_dps\": %u, \"acc_range_g\": %u}",
            h->version, h->header_len, h->layout, k, (h->layout & GLF_FLAG_CRC) ? "true" : "false", h->n,
            h->seq, h->odr_hz, (unsigned long)h->t0_us, h->gyro_range_dps, h->acc_range_g);
    fputs(",\n     \"header_ext_hex\": \"", f);
    for (i = 0; i < c->ext_len; i++) {
        fprintf(f, "%02x", c->ext[i]);
    }
    fputs("\",\n     \"raw\": ", f);
    print_rows(f, c->samples, h->n, k, 0, k, 0);
    fputs(",\n     \"acc_g\": ", f);
    print_rows(f, c->samples, h->n, k, 0, 3, h->acc_range_g);
    fputs(",\n     \"gyr_dps\": ", f);
    if (k == 6u) {
        print_rows(f, c->samples, h->n, k, 3, 3, h->gyro_range_dps);
    } else {
        fputs("null", f);
    }
}

static void print_case(FILE *f, const glf_case_t *c)
{
    fprintf(f, "    {\"name\": \"%s\", \"file\": \"%s.bin\", \"kind\": \"%s\", \"len\": %lu, \"expect\": \"%s\"",
            c->name, c->name, glf_case_kind_name(c->kind), (unsigned long)c->len, glf_strerror(c->expect));
    if (c->expect == GLF_OK) {
        switch (c->kind) {
        case CASE_FRAME:
            print_frame(f, c);
            break;
        case CASE_INFO:
            fprintf(f,
                    ",\n     \"info\": {\"info_version\": %u, \"info_len\": %u, \"glf_version\": %u, "
                    "\"fw_version\": [%u, %u, %u], \"board_id\": %u, \"placement\": %u, \"side\": %u, "
                    "\"acc_range_g\": %u, \"layout_mask\": %u, \"gyro_range_dps\": %u, \"odr_hz\": %u, "
                    "\"max_odr_hz\": %u, \"state\": %u, \"model\": \"%s\"}",
                    c->info.info_version, c->info.info_len, c->info.glf_version, c->info.fw_major,
                    c->info.fw_minor, c->info.fw_patch, c->info.board_id, c->info.placement, c->info.side,
                    c->info.acc_range_g, c->info.layout_mask, c->info.gyro_range_dps, c->info.odr_hz,
                    c->info.max_odr_hz, c->info.state, c->info.model);
            break;
        case CASE_CMD:
            fprintf(f,
                    ",\n     \"cmd\": {\"op\": %u, \"odr_hz\": %u, \"acc_range_g\": %u, "
                    "\"gyro_range_dps\": %u, \"layout\": %u}",
                    c->cmd.op, c->cmd.odr_hz, c->cmd.acc_range_g, c->cmd.gyro_range_dps, c->cmd.layout);
            break;
        case CASE_RESP:
            fprintf(f, ",\n     \"resp\": {\"op\": %u, \"status\": %u}", c->resp_op, c->resp_status);
            break;
        }
    }
    fputc('}', f);
}

int main(int argc, char **argv)
{
    char path[1024];
    size_t n;
    size_t i;
    FILE *f;
    if (argc != 2) {
        fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    n = glf_cases_build(cases, sizeof cases / sizeof cases[0]);
    if (n == 0u) {
        fprintf(stderr, "make_vectors: building the cases failed\n");
        return 1;
    }
    for (i = 0; i < n; i++) {
        (void)snprintf(path, sizeof path, "%s/%s.bin", argv[1], cases[i].name);
        f = fopen(path, "wb");
        if (f == NULL || fwrite(cases[i].bytes, 1, cases[i].len, f) != cases[i].len) {
            fprintf(stderr, "make_vectors: cannot write %s\n", path);
            return 1;
        }
        fclose(f);
    }
    (void)snprintf(path, sizeof path, "%s/manifest.json", argv[1]);
    f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "make_vectors: cannot write %s\n", path);
        return 1;
    }
    fprintf(f, "{\n  \"format\": \"glf-golden-vectors\",\n  \"glf_version\": %u,\n  \"vectors\": [\n",
            GLF_VERSION);
    for (i = 0; i < n; i++) {
        print_case(f, &cases[i]);
        fputs(i + 1u < n ? ",\n" : "\n", f);
    }
    fputs("  ]\n}\n", f);
    fclose(f);
    printf("wrote %lu vectors to %s\n", (unsigned long)n, argv[1]);
    return 0;
}
