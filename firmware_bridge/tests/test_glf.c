/*
 * test_glf.c - host tests of the GLF C library: golden cases (decode result and error code
 * per malformed class, byte-identical re-encode), round trips, bounds, CRC, helpers.
 * Exit status 0 = all checks passed. Build: make test.
 */
#include <stdio.h>
#include <string.h>

#include "cases.h"

static unsigned checks;
static unsigned failures;

#define CHECK(cond, ...)                                                                    \
    do {                                                                                    \
        checks++;                                                                           \
        if (!(cond)) {                                                                      \
            failures++;                                                                     \
            fprintf(stderr, "%s:%d: FAIL %s: ", __FILE__, __LINE__, #cond);                 \
            fprintf(stderr, __VA_ARGS__);                                                   \
            fputc('\n', stderr);                                                            \
        }                                                                                   \
    } while (0)

static glf_case_t cases[96];
static uint8_t frame[GLF_CASE_MAX_BYTES + 16];
static int16_t values[GLF_CASE_MAX_VALUES + 16];

static int same_header(const glf_header_t *a, const glf_header_t *b)
{
    return a->version == b->version && a->header_len == b->header_len && a->layout == b->layout &&
           a->n == b->n && a->seq == b->seq && a->odr_hz == b->odr_hz && a->t0_us == b->t0_us &&
           a->gyro_range_dps == b->gyro_range_dps && a->acc_range_g == b->acc_range_g;
}

static int decode_case(const glf_case_t *c)
{
    glf_header_t h;
    glf_info_t info;
    glf_cmd_t cmd;
    uint8_t op;
    uint8_t status;
    switch (c->kind) {
    case CASE_FRAME:
        return glf_decode(c->bytes, c->len, &h, values, GLF_CASE_MAX_VALUES);
    case CASE_INFO:
        return glf_info_decode(c->bytes, c->len, &info);
    case CASE_CMD:
        return glf_cmd_decode(c->bytes, c->len, &cmd);
    default:
        return glf_resp_decode(c->bytes, c->len, &op, &status);
    }
}

static void test_golden_cases(void)
{
    size_t n = glf_cases_build(cases, sizeof cases / sizeof cases[0]);
    size_t i;
    CHECK(n > 30u, "only %lu cases", (unsigned long)n);
    for (i = 0; i < n; i++) {
        const glf_case_t *c = &cases[i];
        int got = decode_case(c);
        CHECK(got == c->expect, "%s: decode returned %s, expected %s", c->name, glf_strerror(got),
              glf_strerror(c->expect));
        if (c->expect == GLF_OK && c->kind == CASE_FRAME) {
            glf_header_t h;
            size_t k = glf_channels(c->hdr.layout);
            int len;
            CHECK(glf_decode(c->bytes, c->len, &h, values, GLF_CASE_MAX_VALUES) == GLF_OK, "%s", c->name);
            CHECK(same_header(&h, &c->hdr), "%s: header differs", c->name);
            CHECK(memcmp(values, c->samples, c->hdr.n * k * 2u) == 0, "%s: samples differ", c->name);
            len = glf_encode_ext(frame, sizeof frame, &h, c->ext, c->ext_len, values);
            CHECK(len == (int)c->len && memcmp(frame, c->bytes, c->len) == 0, "%s: re-encode differs",
                  c->name);
            if (c->ext_len == 0u) {
                CHECK(glf_frame_size(h.layout, h.n) == c->len, "%s: frame_size", c->name);
            }
        }
        if (c->expect == GLF_OK && c->kind == CASE_INFO) {
            glf_info_t info;
            CHECK(glf_info_decode(c->bytes, c->len, &info) == GLF_OK, "%s", c->name);
            CHECK(strcmp(info.model, c->info.model) == 0 && info.board_id == c->info.board_id &&
                      info.gyro_range_dps == c->info.gyro_range_dps && info.fw_minor == c->info.fw_minor,
                  "%s: info fields differ", c->name);
            CHECK(glf_info_encode(frame, sizeof frame, &info) == (int)c->len &&
                      memcmp(frame, c->bytes, c->len) == 0,
                  "%s: info re-encode differs", c->name);
        }
        if (c->expect == GLF_OK && c->kind == CASE_CMD) {
            glf_cmd_t cmd;
            CHECK(glf_cmd_decode(c->bytes, c->len, &cmd) == GLF_OK, "%s", c->name);
            CHECK(glf_cmd_encode(frame, sizeof frame, &cmd) == (int)c->len &&
                      memcmp(frame, c->bytes, c->len) == 0,
                  "%s: cmd re-encode differs", c->name);
        }
        /* every strict prefix of a valid record is rejected, never read as something else */
        if (c->expect == GLF_OK) {
            size_t cut;
            for (cut = 0; cut < c->len; cut++) {
                glf_case_t tmp;
                memcpy(&tmp, c, sizeof tmp);
                tmp.len = cut;
                CHECK(decode_case(&tmp) != GLF_OK, "%s: prefix of %lu bytes accepted", c->name,
                      (unsigned long)cut);
            }
        }
    }
}

static void test_crc(void)
{
    static const uint8_t check[] = "123456789";
    size_t i;
    unsigned bit;
    glf_header_t h;
    int16_t s[6] = {1, -2, 3, -4, 5, -6};
    int len;
    CHECK(glf_crc16(check, 9) == 0x29B1u, "check value 0x%04X", glf_crc16(check, 9));
    CHECK(glf_crc16_update(glf_crc16(check, 4), check + 4, 5) == 0x29B1u, "incremental");
    CHECK(glf_crc16(NULL, 0) == 0xFFFFu, "empty");
    memset(&h, 0, sizeof h);
    h.layout = GLF_LAYOUT_ACC_GYRO | GLF_FLAG_CRC;
    h.n = 1;
    h.odr_hz = 100;
    h.acc_range_g = 8;
    h.gyro_range_dps = 500;
    len = glf_encode(frame, sizeof frame, &h, s);
    CHECK(len == 16 + 12 + 2, "len %d", len);
    /* every single-bit error anywhere in a CRC frame is rejected */
    for (i = 0; i < (size_t)len; i++) {
        for (bit = 0; bit < 8u; bit++) {
            glf_header_t out;
            frame[i] ^= (uint8_t)(1u << bit);
            CHECK(glf_decode_header(frame, (size_t)len, &out) != GLF_OK, "flip byte %lu bit %u accepted",
                  (unsigned long)i, bit);
            frame[i] ^= (uint8_t)(1u << bit);
        }
    }
}

static void test_sizes(void)
{
    CHECK(glf_max_samples(247, GLF_LAYOUT_ACC) == 38u, "%lu", (unsigned long)glf_max_samples(247, 1));
    CHECK(glf_max_samples(247, GLF_LAYOUT_ACC_GYRO) == 19u, "%lu", (unsigned long)glf_max_samples(247, 2));
    CHECK(glf_max_samples(185, GLF_LAYOUT_ACC_GYRO) == 13u, "%lu", (unsigned long)glf_max_samples(185, 2));
    CHECK(glf_max_samples(185, GLF_LAYOUT_ACC_GYRO | GLF_FLAG_CRC) == 13u, "crc185");
    CHECK(glf_max_samples(247, GLF_LAYOUT_ACC | GLF_FLAG_CRC) == 37u, "crc247");
    CHECK(glf_max_samples(517, GLF_LAYOUT_ACC) == 82u, "517 capped by 512-byte frames");
    CHECK(glf_max_samples(517, GLF_LAYOUT_ACC_GYRO) == 41u, "517 six-axis");
    CHECK(glf_max_samples(23, GLF_LAYOUT_ACC) == 0u, "MTU 23 cannot carry a sample");
    CHECK(glf_max_samples(25, GLF_LAYOUT_ACC) == 1u, "MTU 25 carries one acc sample");
    CHECK(glf_max_samples(31, GLF_LAYOUT_ACC_GYRO) == 1u, "MTU 31 carries one six-axis sample");
    CHECK(glf_max_samples(0, GLF_LAYOUT_ACC) == 0u && glf_max_samples(3, GLF_LAYOUT_ACC) == 0u, "tiny mtu");
    CHECK(glf_max_samples(247, 0x03) == 0u && glf_max_samples(247, 0x41) == 0u, "bad layout");
    CHECK(glf_frame_size(GLF_LAYOUT_ACC, 38) == 244u, "frame_size acc 38");
    CHECK(glf_frame_size(GLF_LAYOUT_ACC_GYRO | GLF_FLAG_CRC, 1) == 30u, "frame_size crc");
    CHECK(glf_frame_size(GLF_LAYOUT_ACC, 0) == 0u && glf_frame_size(GLF_LAYOUT_ACC, 256) == 0u, "bad n");
    CHECK(glf_frame_size(0x0F, 1) == 0u, "bad layout");
}

/* Round trip every n that fits a frame, both layouts, with and without CRC. */
static void test_round_trips(void)
{
    static const uint8_t layouts[4] = {GLF_LAYOUT_ACC, GLF_LAYOUT_ACC_GYRO, GLF_LAYOUT_ACC | GLF_FLAG_CRC,
                                       GLF_LAYOUT_ACC_GYRO | GLF_FLAG_CRC};
    static int16_t in[GLF_CASE_MAX_VALUES];
    size_t li;
    size_t n;
    size_t i;
    for (i = 0; i < GLF_CASE_MAX_VALUES; i++) {
        in[i] = (int16_t)((int32_t)((i * 40503u) & 0xFFFFu) - 32768);
    }
    for (li = 0; li < 4u; li++) {
        size_t nmax = glf_max_samples(517, layouts[li]);
        for (n = 1; n <= nmax; n++) {
            glf_header_t h;
            glf_header_t out;
            int len;
            memset(&h, 0, sizeof h);
            h.layout = layouts[li];
            h.n = (uint8_t)n;
            h.seq = (uint16_t)(65530u + n);
            h.t0_us = 0xFFFFFF00u + (uint32_t)n;
            h.odr_hz = 833;
            h.acc_range_g = 16;
            h.gyro_range_dps = glf_channels(h.layout) == 6u ? 2000 : 0;
            len = glf_encode(frame, sizeof frame, &h, in);
            CHECK(len > 0 && (size_t)len == glf_frame_size(h.layout, n), "layout %u n %lu len %d", h.layout,
                  (unsigned long)n, len);
            CHECK(glf_decode(frame, (size_t)len, &out, values, GLF_CASE_MAX_VALUES) == GLF_OK, "decode");
            CHECK(out.seq == h.seq && out.t0_us == h.t0_us && out.n == n && out.layout == h.layout, "hdr");
            CHECK(memcmp(values, in, n * glf_channels(h.layout) * 2u) == 0, "samples n %lu", (unsigned long)n);
        }
        CHECK(glf_frame_size(layouts[li], nmax) <= GLF_MAX_FRAME_LEN, "max frame fits");
    }
}

/* The encoder never writes at or past cap; the decoder never writes past cap_values. */
static void test_bounds(void)
{
    glf_header_t h;
    glf_header_t out;
    int16_t s[19 * 6];
    size_t cap;
    size_t i;
    int full;
    memset(s, 0x11, sizeof s);
    memset(&h, 0, sizeof h);
    h.layout = GLF_LAYOUT_ACC_GYRO | GLF_FLAG_CRC;
    h.n = 19;
    h.odr_hz = 416;
    h.acc_range_g = 16;
    h.gyro_range_dps = 2000;
    full = glf_encode(frame, sizeof frame, &h, s);
    CHECK(full == 16 + 19 * 12 + 2, "full %d", full);
    for (cap = 0; cap < (size_t)full; cap++) {
        int bad = 0;
        memset(frame, 0xA5, sizeof frame);
        CHECK(glf_encode(frame, cap, &h, s) == GLF_ERR_BUFFER, "cap %lu", (unsigned long)cap);
        for (i = cap; i < sizeof frame; i++) {
            bad |= frame[i] != 0xA5u;
        }
        CHECK(!bad, "encoder wrote past cap %lu", (unsigned long)cap);
    }
    full = glf_encode(frame, (size_t)full, &h, s);
    CHECK(full > 0, "exact cap");
    for (i = 0; i < 16u; i++) {
        values[19u * 6u - 1u + i] = 0x5A5A;
    }
    CHECK(glf_decode(frame, (size_t)full, &out, values, 19u * 6u - 1u) == GLF_ERR_BUFFER, "decode cap");
    CHECK(values[19u * 6u - 1u] == 0x5A5A, "decoder wrote past cap_values");
    CHECK(glf_decode(frame, (size_t)full, &out, values, 19u * 6u) == GLF_OK, "decode exact cap");
    CHECK(glf_decode(NULL, 10, &out, values, 10) == GLF_ERR_ARG, "NULL buf");
    CHECK(glf_decode(frame, (size_t)full, NULL, values, 200) == GLF_ERR_ARG, "NULL hdr");
    CHECK(glf_decode(frame, (size_t)full, &out, NULL, 200) == GLF_ERR_ARG, "NULL samples");
    CHECK(glf_encode(NULL, 100, &h, s) == GLF_ERR_ARG && glf_encode(frame, 100, NULL, s) == GLF_ERR_ARG &&
              glf_encode(frame, 600, &h, NULL) == GLF_ERR_ARG,
          "encode NULLs");
    CHECK(glf_encode_ext(frame, 600, &h, NULL, 4, s) == GLF_ERR_ARG, "ext NULL");
    CHECK(glf_encode_ext(frame, 600, &h, frame, 240, s) == GLF_ERR_HEADER_LEN, "ext too long");
    h.header_len = 17;
    CHECK(glf_encode(frame, 600, &h, s) == GLF_ERR_HEADER_LEN, "header_len without ext");
    h.header_len = 0;
    /* the encoder refuses what the decoder would reject */
    h.layout = 0x03;
    CHECK(glf_encode(frame, 600, &h, s) == GLF_ERR_LAYOUT, "layout");
    h.layout = GLF_LAYOUT_ACC_GYRO;
    h.n = 0;
    CHECK(glf_encode(frame, 600, &h, s) == GLF_ERR_COUNT, "n 0");
    h.n = 255;
    CHECK(glf_encode(frame, 4000, &h, s) == GLF_ERR_OVERSIZED, "oversized");
    h.n = 1;
    h.gyro_range_dps = 0;
    CHECK(glf_encode(frame, 600, &h, s) == GLF_ERR_FIELD, "gyro range");
    h.gyro_range_dps = 250;
    h.odr_hz = 0;
    CHECK(glf_encode(frame, 600, &h, s) == GLF_ERR_FIELD, "odr");
    h.odr_hz = 1;
    h.acc_range_g = 0;
    CHECK(glf_encode(frame, 600, &h, s) == GLF_ERR_FIELD, "acc range");
}

static void test_control_and_info(void)
{
    glf_cmd_t cmd;
    glf_cmd_t out;
    glf_info_t info;
    uint8_t buf[64];
    uint8_t op;
    uint8_t status;
    memset(&cmd, 0, sizeof cmd);
    cmd.op = GLF_OP_START;
    cmd.odr_hz = 833;
    cmd.acc_range_g = 8;
    cmd.layout = GLF_LAYOUT_ACC;
    CHECK(glf_cmd_encode(buf, 6, &cmd) == GLF_ERR_BUFFER, "cmd cap");
    CHECK(glf_cmd_encode(buf, sizeof buf, &cmd) == 7, "cmd len");
    CHECK(glf_cmd_decode(buf, 7, &out) == GLF_OK && out.odr_hz == 833 && out.layout == 1, "cmd decode");
    CHECK(glf_cmd_decode(buf, 8, &out) == GLF_ERR_COUNT, "cmd long");
    CHECK(glf_cmd_decode(buf, 0, &out) == GLF_ERR_TRUNCATED, "cmd empty");
    buf[6] = 0x07;
    CHECK(glf_cmd_decode(buf, 7, &out) == GLF_ERR_LAYOUT, "cmd layout");
    CHECK(glf_status_for_error(GLF_ERR_LAYOUT) == GLF_STATUS_BAD_LAYOUT, "status layout");
    CHECK(glf_status_for_error(GLF_ERR_OPCODE) == GLF_STATUS_UNKNOWN_OP, "status op");
    CHECK(glf_status_for_error(GLF_ERR_TRUNCATED) == GLF_STATUS_BAD_LENGTH, "status len");
    cmd.op = 0x33;
    CHECK(glf_cmd_encode(buf, sizeof buf, &cmd) == GLF_ERR_OPCODE, "cmd bad op");
    CHECK(glf_resp_encode(buf, 2, 1, 0) == GLF_ERR_BUFFER, "resp cap");
    CHECK(glf_resp_encode(buf, 3, GLF_OP_STOP, GLF_STATUS_BUSY) == 3, "resp");
    CHECK(glf_resp_decode(buf, 3, &op, &status) == GLF_OK && op == GLF_OP_STOP && status == GLF_STATUS_BUSY,
          "resp decode");
    CHECK(glf_resp_decode(buf, 4, &op, &status) == GLF_ERR_COUNT, "resp long");
    memset(&info, 0, sizeof info);
    memcpy(info.model, "ABCDEFGHIJKLMNOPQ", 17); /* 17 chars, no NUL: too long */
    CHECK(glf_info_encode(buf, sizeof buf, &info) == GLF_ERR_FIELD, "model too long");
    info.model[16] = '\0';
    CHECK(glf_info_encode(buf, 35, &info) == GLF_ERR_BUFFER, "info cap");
    CHECK(glf_info_encode(buf, sizeof buf, &info) == 36, "16-char model fits");
    info.model[3] = '\n';
    CHECK(glf_info_encode(buf, sizeof buf, &info) == GLF_ERR_FIELD, "model control char");
}

static void test_rescale(void)
{
    /* ST gyros: 70 mdps/LSB at 2000 dps vs 2000/32768 dps/LSB -> ratio 3584/3125 */
    CHECK(glf_rescale_i16(1000, 3584, 3125) == 1147, "%d", glf_rescale_i16(1000, 3584, 3125));
    CHECK(glf_rescale_i16(-1000, 3584, 3125) == -1147, "neg");
    CHECK(glf_rescale_i16(30000, 3584, 3125) == 32767, "saturate +");
    CHECK(glf_rescale_i16(-32768, 3584, 3125) == -32768, "saturate -");
    CHECK(glf_rescale_i16(3, 1, 2) == 2 && glf_rescale_i16(-3, 1, 2) == -2, "half away from zero");
    CHECK(glf_rescale_i16(5, 1, 0) == 0, "den 0");
    CHECK(glf_rescale_i16(5, 1, -1) == -5, "negative den");
}

int main(void)
{
    test_golden_cases();
    test_crc();
    test_sizes();
    test_round_trips();
    test_bounds();
    test_control_and_info();
    test_rescale();
    printf("test_glf: %u checks, %u failures\n", checks, failures);
    return failures == 0u ? 0 : 1;
}
