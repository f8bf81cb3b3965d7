/*
 * cases.c - golden GLF cases: valid frames, info records, control commands, and one
 * malformed input per decoder error class. Everything is integer and deterministic, so
 * the generated vectors are byte-identical on every platform.
 */
#include "cases.h"

#include <stdio.h>
#include <string.h>

/* deterministic pseudo-random int16 (LCG), full range incl. extremes over many draws */
static int16_t pattern(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return (int16_t)((int32_t)(*state >> 16) - 32768);
}

static glf_case_t *next_case(glf_case_t *cases, size_t cap, size_t *count, const char *name,
                             glf_case_kind_t kind, int expect)
{
    glf_case_t *c;
    if (*count >= cap) {
        return NULL;
    }
    c = &cases[(*count)++];
    memset(c, 0, sizeof *c);
    (void)snprintf(c->name, sizeof c->name, "%s", name);
    c->kind = kind;
    c->expect = expect;
    return c;
}

/* Encode a valid frame case; returns 0 on failure. */
static int add_frame(glf_case_t *cases, size_t cap, size_t *count, const char *name,
                     const glf_header_t *h, const int16_t *samples, const uint8_t *ext, size_t ext_len)
{
    glf_case_t *c = next_case(cases, cap, count, name, CASE_FRAME, GLF_OK);
    size_t values;
    int len;
    if (c == NULL) {
        return 0;
    }
    c->hdr = *h;
    c->hdr.version = GLF_VERSION;
    c->hdr.header_len = (uint8_t)(GLF_HEADER_LEN + ext_len);
    values = (size_t)h->n * glf_channels(h->layout);
    memcpy(c->samples, samples, values * sizeof samples[0]);
    if (ext_len > 0u) {
        memcpy(c->ext, ext, ext_len);
    }
    c->ext_len = ext_len;
    len = glf_encode_ext(c->bytes, sizeof c->bytes, h, ext, ext_len, samples);
    if (len <= 0) {
        return 0;
    }
    c->len = (size_t)len;
    return 1;
}

/* A malformed frame: copy a base frame's bytes, then let the caller patch them. */
static glf_case_t *add_bad(glf_case_t *cases, size_t cap, size_t *count, const char *name, int expect,
                           const glf_case_t *base, size_t len)
{
    glf_case_t *c = next_case(cases, cap, count, name, base->kind, expect);
    if (c == NULL) {
        return NULL;
    }
    memcpy(c->bytes, base->bytes, sizeof c->bytes);
    c->len = len;
    return c;
}

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)(v >> 8);
}

static void refresh_crc(glf_case_t *c)
{
    put_u16(c->bytes + c->len - 2u, glf_crc16(c->bytes, c->len - 2u));
}

const char *glf_case_kind_name(glf_case_kind_t kind)
{
    switch (kind) {
    case CASE_FRAME:
        return "frame";
    case CASE_INFO:
        return "info";
    case CASE_CMD:
        return "cmd";
    default:
        return "resp";
    }
}

size_t glf_cases_build(glf_case_t *cases, size_t cap)
{
    static int16_t buf[GLF_CASE_MAX_VALUES];
    static const uint8_t ext[4] = {0xDE, 0xAD, 0xBE, 0xEF};
    /* waist at rest then mid-stance, +-8 g: 1 g = 4096 LSB */
    static const int16_t acc_basic[4 * 3] = {0, 0, 4096, -205, 102, 8192, 32767, -32768, 0, -1, 1, 12288};
    /* acc +-16 g (2048 LSB/g), gyro +-2000 dps (16.384 LSB/dps) */
    static const int16_t six_basic[3 * 6] = {0,    0,     2048, 0,      0,     0,
                                             -512, 1024,  6144, 16384,  -1638, 164,
                                             32767, -32768, -2048, -32768, 32767, 1};
    glf_header_t h;
    glf_case_t *c;
    glf_case_t *acc_ok;
    glf_case_t *six_ok;
    glf_case_t *crc_ok;
    glf_info_t info;
    glf_cmd_t cmd;
    size_t count = 0;
    size_t i;
    uint32_t st = 12345u;
    int len;

    /* ---- valid frames ---- */
    memset(&h, 0, sizeof h);
    h.layout = GLF_LAYOUT_ACC;
    h.n = 4;
    h.seq = 0;
    h.odr_hz = 200;
    h.t0_us = 0;
    h.acc_range_g = 8;
    if (!add_frame(cases, cap, &count, "acc_basic", &h, acc_basic, NULL, 0)) {
        return 0;
    }
    acc_ok = &cases[count - 1u];

    memset(&h, 0, sizeof h);
    h.layout = GLF_LAYOUT_ACC_GYRO;
    h.n = 3;
    h.seq = 1;
    h.odr_hz = 416;
    h.t0_us = 1000000u;
    h.acc_range_g = 16;
    h.gyro_range_dps = 2000;
    if (!add_frame(cases, cap, &count, "acc_gyro_basic", &h, six_basic, NULL, 0)) {
        return 0;
    }
    six_ok = &cases[count - 1u];

    h.layout = GLF_LAYOUT_ACC_GYRO | GLF_FLAG_CRC;
    h.seq = 2;
    h.t0_us = 1007212u;
    if (!add_frame(cases, cap, &count, "acc_gyro_crc", &h, six_basic, NULL, 0)) {
        return 0;
    }
    crc_ok = &cases[count - 1u];

    memset(&h, 0, sizeof h);
    h.layout = GLF_LAYOUT_ACC | GLF_FLAG_CRC;
    h.n = 2;
    h.seq = 7;
    h.odr_hz = 104;
    h.t0_us = 123456789u;
    h.acc_range_g = 4;
    if (!add_frame(cases, cap, &count, "acc_crc", &h, acc_basic, NULL, 0)) {
        return 0;
    }

    memset(&h, 0, sizeof h);
    h.layout = GLF_LAYOUT_ACC;
    h.n = 1;
    h.seq = 65535u;
    h.odr_hz = 833;
    h.t0_us = 4294967290u;
    h.acc_range_g = 2;
    if (!add_frame(cases, cap, &count, "acc_seq_t0_near_wrap", &h, acc_basic + 3, NULL, 0)) {
        return 0;
    }

    for (i = 0; i < GLF_CASE_MAX_VALUES; i++) {
        buf[i] = pattern(&st);
    }
    memset(&h, 0, sizeof h);
    h.layout = GLF_LAYOUT_ACC;
    h.n = (uint8_t)glf_max_samples(247, GLF_LAYOUT_ACC);
    h.seq = 1000;
    h.odr_hz = 833;
    h.t0_us = 2000000000u;
    h.acc_range_g = 16;
    if (!add_frame(cases, cap, &count, "acc_mtu247_full", &h, buf, NULL, 0)) {
        return 0;
    }
    h.layout = GLF_LAYOUT_ACC_GYRO;
    h.n = (uint8_t)glf_max_samples(247, GLF_LAYOUT_ACC_GYRO);
    h.gyro_range_dps = 1000;
    h.acc_range_g = 8;
    h.odr_hz = 416;
    if (!add_frame(cases, cap, &count, "acc_gyro_mtu247_full", &h, buf + 7, NULL, 0)) {
        return 0;
    }
    h.layout = GLF_LAYOUT_ACC;
    h.n = (uint8_t)glf_max_samples(517, GLF_LAYOUT_ACC);
    h.gyro_range_dps = 0;
    h.odr_hz = 1666;
    if (!add_frame(cases, cap, &count, "acc_max_frame", &h, buf + 11, NULL, 0)) {
        return 0;
    }

    memset(&h, 0, sizeof h);
    h.layout = GLF_LAYOUT_ACC;
    h.n = 2;
    h.seq = 42;
    h.odr_hz = 200;
    h.t0_us = 5000u;
    h.acc_range_g = 8;
    if (!add_frame(cases, cap, &count, "acc_header_extension", &h, acc_basic, ext, sizeof ext)) {
        return 0;
    }

    /* ---- malformed frames: one per error class, checked in spec order ---- */
    if (add_bad(cases, cap, &count, "bad_empty", GLF_ERR_TRUNCATED, acc_ok, 0) == NULL) {
        return 0;
    }
    c = add_bad(cases, cap, &count, "bad_version_2", GLF_ERR_VERSION, acc_ok, acc_ok->len);
    if (c == NULL) {
        return 0;
    }
    c->bytes[0] = 2;
    c = add_bad(cases, cap, &count, "bad_version_0", GLF_ERR_VERSION, acc_ok, acc_ok->len);
    if (c == NULL) {
        return 0;
    }
    c->bytes[0] = 0;
    if (add_bad(cases, cap, &count, "bad_short_header", GLF_ERR_TRUNCATED, acc_ok, 10) == NULL) {
        return 0;
    }
    c = add_bad(cases, cap, &count, "bad_header_len_12", GLF_ERR_HEADER_LEN, acc_ok, acc_ok->len);
    if (c == NULL) {
        return 0;
    }
    c->bytes[1] = 12;
    c = add_bad(cases, cap, &count, "bad_layout_code_3", GLF_ERR_LAYOUT, acc_ok, acc_ok->len);
    if (c == NULL) {
        return 0;
    }
    c->bytes[2] = 0x03;
    c = add_bad(cases, cap, &count, "bad_layout_reserved_bit", GLF_ERR_LAYOUT, acc_ok, acc_ok->len);
    if (c == NULL) {
        return 0;
    }
    c->bytes[2] = 0x11;
    c = add_bad(cases, cap, &count, "bad_zero_samples", GLF_ERR_COUNT, acc_ok, GLF_HEADER_LEN);
    if (c == NULL) {
        return 0;
    }
    c->bytes[3] = 0;
    c = add_bad(cases, cap, &count, "bad_odr_zero", GLF_ERR_FIELD, acc_ok, acc_ok->len);
    if (c == NULL) {
        return 0;
    }
    put_u16(c->bytes + 6, 0);
    c = add_bad(cases, cap, &count, "bad_gyro_range_missing", GLF_ERR_FIELD, six_ok, six_ok->len);
    if (c == NULL) {
        return 0;
    }
    put_u16(c->bytes + 12, 0);
    c = add_bad(cases, cap, &count, "bad_gyro_range_on_acc_only", GLF_ERR_FIELD, acc_ok, acc_ok->len);
    if (c == NULL) {
        return 0;
    }
    put_u16(c->bytes + 12, 2000);
    c = add_bad(cases, cap, &count, "bad_acc_range_zero", GLF_ERR_FIELD, acc_ok, acc_ok->len);
    if (c == NULL) {
        return 0;
    }
    c->bytes[14] = 0;
    c = add_bad(cases, cap, &count, "bad_reserved_byte", GLF_ERR_FIELD, acc_ok, acc_ok->len);
    if (c == NULL) {
        return 0;
    }
    c->bytes[15] = 0x01;
    /* n = 255 six-axis samples would need 16 + 3060 bytes > 512 */
    c = add_bad(cases, cap, &count, "bad_oversized", GLF_ERR_OVERSIZED, six_ok, 16u + 255u * 12u);
    if (c == NULL) {
        return 0;
    }
    c->bytes[3] = 255;
    if (add_bad(cases, cap, &count, "bad_truncated_samples", GLF_ERR_TRUNCATED, acc_ok, acc_ok->len - 1u) ==
        NULL) {
        return 0;
    }
    if (add_bad(cases, cap, &count, "bad_trailing_byte", GLF_ERR_COUNT, acc_ok, acc_ok->len + 1u) == NULL) {
        return 0;
    }
    c = add_bad(cases, cap, &count, "bad_count_too_small", GLF_ERR_COUNT, acc_ok, acc_ok->len);
    if (c == NULL) {
        return 0;
    }
    c->bytes[3] = 3; /* header says 3 samples, 4 present */
    if (add_bad(cases, cap, &count, "bad_crc_missing", GLF_ERR_TRUNCATED, crc_ok, crc_ok->len - 2u) == NULL) {
        return 0;
    }
    c = add_bad(cases, cap, &count, "bad_crc_sample_bitflip", GLF_ERR_CRC, crc_ok, crc_ok->len);
    if (c == NULL) {
        return 0;
    }
    c->bytes[GLF_HEADER_LEN + 5u] ^= 0x04u;
    c = add_bad(cases, cap, &count, "bad_crc_trailer", GLF_ERR_CRC, crc_ok, crc_ok->len);
    if (c == NULL) {
        return 0;
    }
    c->bytes[crc_ok->len - 1u] ^= 0x80u;
    /* CRC recomputed over a bad header: the field check must still fire first */
    c = add_bad(cases, cap, &count, "bad_layout_with_valid_crc", GLF_ERR_LAYOUT, crc_ok, crc_ok->len);
    if (c == NULL) {
        return 0;
    }
    c->bytes[2] = 0x83;
    refresh_crc(c);

    /* ---- device info ---- */
    memset(&info, 0, sizeof info);
    info.glf_version = GLF_VERSION;
    info.fw_major = 1;
    info.fw_minor = 2;
    info.fw_patch = 3;
    info.board_id = GLF_BOARD_XIAO_NRF52840_SENSE;
    info.placement = GLF_PLACEMENT_SHOE;
    info.side = GLF_SIDE_LEFT;
    info.acc_range_g = 16;
    info.layout_mask = (1u << GLF_LAYOUT_ACC) | (1u << GLF_LAYOUT_ACC_GYRO);
    info.gyro_range_dps = 2000;
    info.odr_hz = 416;
    info.max_odr_hz = 1666;
    info.state = GLF_STATE_IDLE;
    (void)snprintf(info.model, sizeof info.model, "%s", "LSM6DS3TR-C");
    c = next_case(cases, cap, &count, "info_xiao", CASE_INFO, GLF_OK);
    if (c == NULL) {
        return 0;
    }
    c->info = info;
    c->info.info_version = GLF_INFO_VERSION;
    c->info.info_len = GLF_INFO_LEN;
    len = glf_info_encode(c->bytes, sizeof c->bytes, &info);
    if (len <= 0) {
        return 0;
    }
    c->len = (size_t)len;
    acc_ok = c;
    if (add_bad(cases, cap, &count, "bad_info_truncated", GLF_ERR_TRUNCATED, acc_ok, acc_ok->len - 1u) ==
        NULL) {
        return 0;
    }
    c = add_bad(cases, cap, &count, "bad_info_version_2", GLF_ERR_VERSION, acc_ok, acc_ok->len);
    if (c == NULL) {
        return 0;
    }
    c->bytes[0] = 2;
    c = add_bad(cases, cap, &count, "bad_info_model_not_ascii", GLF_ERR_FIELD, acc_ok, acc_ok->len);
    if (c == NULL) {
        return 0;
    }
    c->bytes[20] = 0xC3;

    /* ---- control commands and responses ---- */
    memset(&cmd, 0, sizeof cmd);
    cmd.op = GLF_OP_START;
    cmd.odr_hz = 416;
    cmd.acc_range_g = 16;
    cmd.gyro_range_dps = 2000;
    cmd.layout = GLF_LAYOUT_ACC_GYRO;
    c = next_case(cases, cap, &count, "cmd_start_416_acc_gyro", CASE_CMD, GLF_OK);
    if (c == NULL) {
        return 0;
    }
    c->cmd = cmd;
    len = glf_cmd_encode(c->bytes, sizeof c->bytes, &cmd);
    if (len <= 0) {
        return 0;
    }
    c->len = (size_t)len;
    acc_ok = c;
    memset(&cmd, 0, sizeof cmd);
    cmd.op = GLF_OP_STOP;
    c = next_case(cases, cap, &count, "cmd_stop", CASE_CMD, GLF_OK);
    if (c == NULL) {
        return 0;
    }
    c->cmd = cmd;
    len = glf_cmd_encode(c->bytes, sizeof c->bytes, &cmd);
    if (len <= 0) {
        return 0;
    }
    c->len = (size_t)len;
    if (add_bad(cases, cap, &count, "bad_cmd_start_short", GLF_ERR_TRUNCATED, acc_ok, acc_ok->len - 1u) ==
        NULL) {
        return 0;
    }
    c = add_bad(cases, cap, &count, "bad_cmd_unknown_op", GLF_ERR_OPCODE, acc_ok, 1);
    if (c == NULL) {
        return 0;
    }
    c->bytes[0] = 0x7F;

    c = next_case(cases, cap, &count, "resp_start_bad_rate", CASE_RESP, GLF_OK);
    if (c == NULL) {
        return 0;
    }
    c->resp_op = GLF_OP_START;
    c->resp_status = GLF_STATUS_BAD_RATE;
    len = glf_resp_encode(c->bytes, sizeof c->bytes, c->resp_op, c->resp_status);
    if (len <= 0) {
        return 0;
    }
    c->len = (size_t)len;
    return count;
}
