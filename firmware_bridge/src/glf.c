/*
 * glf.c - GLF v1 encoder/decoder. See glf.h for the API and PROTOCOL.md for the format.
 *
 * Byte order is handled explicitly (put/get helpers), so the code is correct on big-endian
 * hosts too and never relies on struct layout or unaligned access.
 */
#include "glf.h"

#include <string.h>

/* base header offsets */
#define OFF_VERSION 0u
#define OFF_HEADER_LEN 1u
#define OFF_LAYOUT 2u
#define OFF_N 3u
#define OFF_SEQ 4u
#define OFF_ODR 6u
#define OFF_T0 8u
#define OFF_GYRO_RANGE 12u
#define OFF_ACC_RANGE 14u
#define OFF_RESERVED 15u

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)(v >> 8);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v & 0xFFu);
    p[1] = (uint8_t)((v >> 8) & 0xFFu);
    p[2] = (uint8_t)((v >> 16) & 0xFFu);
    p[3] = (uint8_t)(v >> 24);
}

static uint16_t get_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] | ((uint16_t)p[1] << 8));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static int16_t get_i16(const uint8_t *p)
{
    uint16_t u = get_u16(p);
    /* two's complement without implementation-defined conversion */
    return (u & 0x8000u) ? (int16_t)(-(int32_t)((~u & 0xFFFFu) + 1u)) : (int16_t)u;
}

unsigned glf_channels(uint8_t layout)
{
    if (layout & GLF_LAYOUT_RESERVED_MASK) {
        return 0u;
    }
    switch (layout & GLF_LAYOUT_CHANNEL_MASK) {
    case GLF_LAYOUT_ACC:
        return 3u;
    case GLF_LAYOUT_ACC_GYRO:
        return 6u;
    default:
        return 0u;
    }
}

static size_t trailer_len(uint8_t layout)
{
    return (layout & GLF_FLAG_CRC) ? GLF_CRC_LEN : 0u;
}

size_t glf_frame_size(uint8_t layout, size_t n)
{
    unsigned k = glf_channels(layout);
    if (k == 0u || n == 0u || n > 255u) {
        return 0u;
    }
    return GLF_HEADER_LEN + n * k * 2u + trailer_len(layout);
}

size_t glf_max_samples(uint16_t att_mtu, uint8_t layout)
{
    unsigned k = glf_channels(layout);
    size_t payload;
    size_t fixed;
    size_t n;
    if (k == 0u || att_mtu <= GLF_ATT_OVERHEAD) {
        return 0u;
    }
    payload = (size_t)att_mtu - GLF_ATT_OVERHEAD;
    if (payload > GLF_MAX_FRAME_LEN) {
        payload = GLF_MAX_FRAME_LEN;
    }
    fixed = GLF_HEADER_LEN + trailer_len(layout);
    if (payload < fixed) {
        return 0u;
    }
    n = (payload - fixed) / (2u * k);
    return n > 255u ? 255u : n;
}

uint16_t glf_crc16_update(uint16_t crc, const uint8_t *data, size_t len)
{
    unsigned c = crc; /* unsigned int arithmetic: no implicit promotion to signed int */
    size_t i;
    unsigned bit;
    if (data == NULL) {
        return crc;
    }
    for (i = 0; i < len; i++) {
        c ^= (unsigned)data[i] << 8;
        for (bit = 0; bit < 8u; bit++) {
            c = (c & 0x8000u) ? ((c << 1) ^ 0x1021u) : (c << 1);
        }
        c &= 0xFFFFu;
    }
    return (uint16_t)c;
}

uint16_t glf_crc16(const uint8_t *data, size_t len)
{
    return glf_crc16_update(0xFFFFu, data, len);
}

/* Field rules shared by encoder and decoder (checked in wire-offset order). */
static int check_fields(uint8_t layout, uint8_t n, uint16_t odr_hz, uint16_t gyro_range_dps,
                        uint8_t acc_range_g)
{
    unsigned k = glf_channels(layout);
    if (k == 0u) {
        return GLF_ERR_LAYOUT;
    }
    if (n == 0u) {
        return GLF_ERR_COUNT;
    }
    if (odr_hz == 0u) {
        return GLF_ERR_FIELD;
    }
    if ((k == 6u) != (gyro_range_dps != 0u)) {
        return GLF_ERR_FIELD; /* gyro range present exactly when gyro channels are */
    }
    if (acc_range_g == 0u) {
        return GLF_ERR_FIELD;
    }
    return GLF_OK;
}

int glf_encode_ext(uint8_t *out, size_t cap, const glf_header_t *h, const uint8_t *ext,
                   size_t ext_len, const int16_t *samples)
{
    size_t header_len = GLF_HEADER_LEN + ext_len;
    size_t values;
    size_t total;
    size_t i;
    int err;
    if (out == NULL || h == NULL || samples == NULL || (ext_len > 0u && ext == NULL)) {
        return GLF_ERR_ARG;
    }
    if (header_len > 255u || (h->header_len != 0u && h->header_len != header_len)) {
        return GLF_ERR_HEADER_LEN;
    }
    err = check_fields(h->layout, h->n, h->odr_hz, h->gyro_range_dps, h->acc_range_g);
    if (err != GLF_OK) {
        return err;
    }
    values = (size_t)h->n * glf_channels(h->layout);
    total = header_len + values * 2u + trailer_len(h->layout);
    if (total > GLF_MAX_FRAME_LEN) {
        return GLF_ERR_OVERSIZED;
    }
    if (cap < total) {
        return GLF_ERR_BUFFER;
    }
    out[OFF_VERSION] = (uint8_t)GLF_VERSION;
    out[OFF_HEADER_LEN] = (uint8_t)header_len;
    out[OFF_LAYOUT] = h->layout;
    out[OFF_N] = h->n;
    put_u16(out + OFF_SEQ, h->seq);
    put_u16(out + OFF_ODR, h->odr_hz);
    put_u32(out + OFF_T0, h->t0_us);
    put_u16(out + OFF_GYRO_RANGE, h->gyro_range_dps);
    out[OFF_ACC_RANGE] = h->acc_range_g;
    out[OFF_RESERVED] = 0u;
    if (ext_len > 0u) {
        memcpy(out + GLF_HEADER_LEN, ext, ext_len);
    }
    for (i = 0; i < values; i++) {
        put_u16(out + header_len + 2u * i, (uint16_t)samples[i]);
    }
    if (h->layout & GLF_FLAG_CRC) {
        put_u16(out + total - GLF_CRC_LEN, glf_crc16(out, total - GLF_CRC_LEN));
    }
    return (int)total;
}

int glf_encode(uint8_t *out, size_t cap, const glf_header_t *h, const int16_t *samples)
{
    return glf_encode_ext(out, cap, h, NULL, 0u, samples);
}

int glf_decode_header(const uint8_t *buf, size_t len, glf_header_t *h)
{
    glf_header_t v;
    size_t expected;
    int err;
    if (buf == NULL || h == NULL) {
        return GLF_ERR_ARG;
    }
    /* The order of checks is part of the spec (PROTOCOL.md, "Validation order"). */
    if (len < 1u) {
        return GLF_ERR_TRUNCATED;
    }
    if (buf[OFF_VERSION] != GLF_VERSION) {
        return GLF_ERR_VERSION;
    }
    if (len < GLF_HEADER_LEN) {
        return GLF_ERR_TRUNCATED;
    }
    v.version = buf[OFF_VERSION];
    v.header_len = buf[OFF_HEADER_LEN];
    v.layout = buf[OFF_LAYOUT];
    v.n = buf[OFF_N];
    v.seq = get_u16(buf + OFF_SEQ);
    v.odr_hz = get_u16(buf + OFF_ODR);
    v.t0_us = get_u32(buf + OFF_T0);
    v.gyro_range_dps = get_u16(buf + OFF_GYRO_RANGE);
    v.acc_range_g = buf[OFF_ACC_RANGE];
    if (v.header_len < GLF_HEADER_LEN) {
        return GLF_ERR_HEADER_LEN;
    }
    err = check_fields(v.layout, v.n, v.odr_hz, v.gyro_range_dps, v.acc_range_g);
    if (err != GLF_OK) {
        return err;
    }
    if (buf[OFF_RESERVED] != 0u) {
        return GLF_ERR_FIELD;
    }
    expected = (size_t)v.header_len + (size_t)v.n * glf_channels(v.layout) * 2u + trailer_len(v.layout);
    if (expected > GLF_MAX_FRAME_LEN) {
        return GLF_ERR_OVERSIZED;
    }
    if (len < expected) {
        return GLF_ERR_TRUNCATED;
    }
    if (len > expected) {
        return GLF_ERR_COUNT;
    }
    if ((v.layout & GLF_FLAG_CRC) &&
        glf_crc16(buf, expected - GLF_CRC_LEN) != get_u16(buf + expected - GLF_CRC_LEN)) {
        return GLF_ERR_CRC;
    }
    *h = v;
    return GLF_OK;
}

int glf_decode(const uint8_t *buf, size_t len, glf_header_t *h, int16_t *samples,
               size_t cap_values)
{
    glf_header_t v;
    size_t values;
    size_t i;
    int err;
    if (h == NULL || samples == NULL) {
        return GLF_ERR_ARG;
    }
    err = glf_decode_header(buf, len, &v);
    if (err != GLF_OK) {
        return err;
    }
    values = (size_t)v.n * glf_channels(v.layout);
    if (cap_values < values) {
        return GLF_ERR_BUFFER;
    }
    for (i = 0; i < values; i++) {
        samples[i] = get_i16(buf + v.header_len + 2u * i);
    }
    *h = v;
    return GLF_OK;
}

const char *glf_strerror(int err)
{
    switch (err) {
    case GLF_OK:
        return "ok";
    case GLF_ERR_ARG:
        return "arg";
    case GLF_ERR_BUFFER:
        return "buffer";
    case GLF_ERR_TRUNCATED:
        return "truncated";
    case GLF_ERR_VERSION:
        return "version";
    case GLF_ERR_HEADER_LEN:
        return "header_len";
    case GLF_ERR_LAYOUT:
        return "layout";
    case GLF_ERR_COUNT:
        return "count";
    case GLF_ERR_FIELD:
        return "field";
    case GLF_ERR_OVERSIZED:
        return "oversized";
    case GLF_ERR_CRC:
        return "crc";
    case GLF_ERR_OPCODE:
        return "opcode";
    default:
        return "unknown";
    }
}

int16_t glf_rescale_i16(int32_t raw, int32_t num, int32_t den)
{
    /* 64-bit intermediate: |raw * num| can exceed 2^31 for large ratios */
    int64_t p;
    int64_t q;
    if (den == 0) {
        return 0;
    }
    p = (int64_t)raw * num;
    if (den < 0) {
        p = -p;
        den = -den;
    }
    q = (p >= 0) ? (p + den / 2) / den : -((-p + den / 2) / den);
    if (q > 32767) {
        return 32767;
    }
    if (q < -32768) {
        return -32768;
    }
    return (int16_t)q;
}

/* ---- control ----------------------------------------------------------------------- */

int glf_cmd_encode(uint8_t *out, size_t cap, const glf_cmd_t *cmd)
{
    if (out == NULL || cmd == NULL) {
        return GLF_ERR_ARG;
    }
    if (cmd->op == GLF_OP_START) {
        if (cmd->layout != 0u && glf_channels(cmd->layout) == 0u) {
            return GLF_ERR_LAYOUT;
        }
        if (cap < GLF_CMD_START_LEN) {
            return GLF_ERR_BUFFER;
        }
        out[0] = GLF_OP_START;
        put_u16(out + 1, cmd->odr_hz);
        out[3] = cmd->acc_range_g;
        put_u16(out + 4, cmd->gyro_range_dps);
        out[6] = cmd->layout;
        return (int)GLF_CMD_START_LEN;
    }
    if (cmd->op == GLF_OP_STOP) {
        if (cap < GLF_CMD_STOP_LEN) {
            return GLF_ERR_BUFFER;
        }
        out[0] = GLF_OP_STOP;
        return (int)GLF_CMD_STOP_LEN;
    }
    return GLF_ERR_OPCODE;
}

int glf_cmd_decode(const uint8_t *buf, size_t len, glf_cmd_t *cmd)
{
    glf_cmd_t c;
    size_t want;
    if (buf == NULL || cmd == NULL) {
        return GLF_ERR_ARG;
    }
    if (len < 1u) {
        return GLF_ERR_TRUNCATED;
    }
    memset(&c, 0, sizeof c);
    c.op = buf[0];
    if (c.op == GLF_OP_START) {
        want = GLF_CMD_START_LEN;
    } else if (c.op == GLF_OP_STOP) {
        want = GLF_CMD_STOP_LEN;
    } else {
        return GLF_ERR_OPCODE;
    }
    if (len < want) {
        return GLF_ERR_TRUNCATED;
    }
    if (len > want) {
        return GLF_ERR_COUNT;
    }
    if (c.op == GLF_OP_START) {
        c.odr_hz = get_u16(buf + 1);
        c.acc_range_g = buf[3];
        c.gyro_range_dps = get_u16(buf + 4);
        c.layout = buf[6];
        if (c.layout != 0u && glf_channels(c.layout) == 0u) {
            return GLF_ERR_LAYOUT;
        }
    }
    *cmd = c;
    return GLF_OK;
}

uint8_t glf_status_for_error(int err)
{
    switch (err) {
    case GLF_OK:
        return GLF_STATUS_OK;
    case GLF_ERR_OPCODE:
        return GLF_STATUS_UNKNOWN_OP;
    case GLF_ERR_LAYOUT:
        return GLF_STATUS_BAD_LAYOUT;
    default:
        return GLF_STATUS_BAD_LENGTH;
    }
}

int glf_resp_encode(uint8_t *out, size_t cap, uint8_t op, uint8_t status)
{
    if (out == NULL) {
        return GLF_ERR_ARG;
    }
    if (cap < GLF_RESP_LEN) {
        return GLF_ERR_BUFFER;
    }
    out[0] = GLF_OP_RESPONSE;
    out[1] = op;
    out[2] = status;
    return (int)GLF_RESP_LEN;
}

int glf_resp_decode(const uint8_t *buf, size_t len, uint8_t *op, uint8_t *status)
{
    if (buf == NULL || op == NULL || status == NULL) {
        return GLF_ERR_ARG;
    }
    if (len < 1u) {
        return GLF_ERR_TRUNCATED;
    }
    if (buf[0] != GLF_OP_RESPONSE) {
        return GLF_ERR_OPCODE;
    }
    if (len < GLF_RESP_LEN) {
        return GLF_ERR_TRUNCATED;
    }
    if (len > GLF_RESP_LEN) {
        return GLF_ERR_COUNT;
    }
    *op = buf[1];
    *status = buf[2];
    return GLF_OK;
}

/* ---- device info ------------------------------------------------------------------- */

static int model_ok(const uint8_t *m)
{
    size_t i;
    int ended = 0;
    for (i = 0; i < GLF_MODEL_LEN; i++) {
        if (m[i] == 0u) {
            ended = 1;
        } else if (ended || m[i] < 0x20u || m[i] > 0x7Eu) {
            return 0; /* printable ASCII, then only NUL padding */
        }
    }
    return 1;
}

int glf_info_encode(uint8_t *out, size_t cap, const glf_info_t *info)
{
    size_t mlen;
    if (out == NULL || info == NULL) {
        return GLF_ERR_ARG;
    }
    mlen = 0u;
    while (mlen <= GLF_MODEL_LEN && info->model[mlen] != '\0') {
        mlen++;
    }
    if (mlen > GLF_MODEL_LEN) {
        return GLF_ERR_FIELD;
    }
    if (cap < GLF_INFO_LEN) {
        return GLF_ERR_BUFFER;
    }
    memset(out, 0, GLF_INFO_LEN);
    memcpy(out + 20, info->model, mlen);
    if (!model_ok(out + 20)) {
        return GLF_ERR_FIELD;
    }
    out[0] = (uint8_t)GLF_INFO_VERSION;
    out[1] = (uint8_t)GLF_INFO_LEN;
    out[2] = info->glf_version;
    out[3] = info->fw_major;
    out[4] = info->fw_minor;
    out[5] = info->fw_patch;
    put_u16(out + 6, info->board_id);
    out[8] = info->placement;
    out[9] = info->side;
    out[10] = info->acc_range_g;
    out[11] = info->layout_mask;
    put_u16(out + 12, info->gyro_range_dps);
    put_u16(out + 14, info->odr_hz);
    put_u16(out + 16, info->max_odr_hz);
    out[18] = info->state;
    out[19] = 0u;
    return (int)GLF_INFO_LEN;
}

int glf_info_decode(const uint8_t *buf, size_t len, glf_info_t *info)
{
    glf_info_t v;
    if (buf == NULL || info == NULL) {
        return GLF_ERR_ARG;
    }
    if (len < 1u) {
        return GLF_ERR_TRUNCATED;
    }
    if (buf[0] != GLF_INFO_VERSION) {
        return GLF_ERR_VERSION;
    }
    if (len < GLF_INFO_LEN) {
        return GLF_ERR_TRUNCATED;
    }
    if (buf[1] < GLF_INFO_LEN) {
        return GLF_ERR_HEADER_LEN;
    }
    if (len < buf[1]) {
        return GLF_ERR_TRUNCATED;
    }
    if (len > buf[1]) {
        return GLF_ERR_COUNT;
    }
    if (!model_ok(buf + 20)) {
        return GLF_ERR_FIELD;
    }
    memset(&v, 0, sizeof v);
    v.info_version = buf[0];
    v.info_len = buf[1];
    v.glf_version = buf[2];
    v.fw_major = buf[3];
    v.fw_minor = buf[4];
    v.fw_patch = buf[5];
    v.board_id = get_u16(buf + 6);
    v.placement = buf[8];
    v.side = buf[9];
    v.acc_range_g = buf[10];
    v.layout_mask = buf[11];
    v.gyro_range_dps = get_u16(buf + 12);
    v.odr_hz = get_u16(buf + 14);
    v.max_odr_hz = get_u16(buf + 16);
    v.state = buf[18];
    memcpy(v.model, buf + 20, GLF_MODEL_LEN);
    v.model[GLF_MODEL_LEN] = '\0';
    *info = v;
    return GLF_OK;
}
