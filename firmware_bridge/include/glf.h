/*
 * glf.h - GLF v1 ("gaitlab frame") encoder/decoder, portable C99.
 *
 * The wire format is specified in firmware_bridge/PROTOCOL.md; this header is the
 * reference implementation. Properties:
 *   - no heap, no floating point, no global state (re-entrant);
 *   - every function checks its buffer sizes and returns an error code instead of
 *     writing past a buffer; multi-byte fields are little-endian on the wire
 *     regardless of the host byte order;
 *   - builds with -std=c99 -Wall -Wextra -pedantic on Arduino (C++), Zephyr and ESP-IDF.
 *
 * Return convention: encoders return the number of bytes written (> 0) or a negative
 * GLF_ERR_* code; decoders return GLF_OK (0) or a negative GLF_ERR_* code.
 */
#ifndef GLF_H
#define GLF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- protocol constants ------------------------------------------------------------- */
#define GLF_VERSION 1u              /* frame format major version written by this library */
#define GLF_HEADER_LEN 16u          /* v1 base header; header_len may be larger (extensions) */
#define GLF_CRC_LEN 2u
#define GLF_MAX_FRAME_LEN 512u      /* ATT attribute value limit; no frame may exceed it */
#define GLF_ATT_OVERHEAD 3u         /* notification payload = ATT MTU - 3 */

/* layout byte: low nibble = channel set, bit 7 = CRC trailer, bits 4..6 reserved (0) */
#define GLF_LAYOUT_ACC 0x01u        /* acc x,y,z */
#define GLF_LAYOUT_ACC_GYRO 0x02u   /* acc x,y,z, gyro x,y,z */
#define GLF_LAYOUT_CHANNEL_MASK 0x0Fu
#define GLF_LAYOUT_RESERVED_MASK 0x70u
#define GLF_FLAG_CRC 0x80u

/* ---- error codes (negative return values) ------------------------------------------- */
#define GLF_OK 0
#define GLF_ERR_ARG (-1)         /* NULL pointer or invalid argument */
#define GLF_ERR_BUFFER (-2)      /* caller's output buffer too small */
#define GLF_ERR_TRUNCATED (-3)   /* input shorter than its header says */
#define GLF_ERR_VERSION (-4)     /* version byte is not one this reader understands */
#define GLF_ERR_HEADER_LEN (-5)  /* header_len smaller than the v1 base header */
#define GLF_ERR_LAYOUT (-6)      /* unknown channel set or reserved layout bits set */
#define GLF_ERR_COUNT (-7)       /* n == 0, or bytes left over after the n samples */
#define GLF_ERR_FIELD (-8)       /* odr/range/reserved field out of its allowed values */
#define GLF_ERR_OVERSIZED (-9)   /* declared frame larger than GLF_MAX_FRAME_LEN */
#define GLF_ERR_CRC (-10)        /* CRC trailer does not match */
#define GLF_ERR_OPCODE (-11)     /* control command with an unknown opcode */

/* ---- frame --------------------------------------------------------------------------- */
typedef struct {
    uint8_t version;         /* decode: GLF_VERSION; ignored by the encoder */
    uint8_t header_len;      /* decode: bytes before the samples; encoder: 0 means 16 */
    uint8_t layout;          /* GLF_LAYOUT_* | optional GLF_FLAG_CRC */
    uint8_t n;               /* samples in the frame, 1..255 */
    uint16_t seq;            /* +1 per frame sent, wraps at 65536 */
    uint16_t odr_hz;         /* nominal output data rate, > 0 */
    uint32_t t0_us;          /* sensor clock (us) of the first sample, wraps at 2^32 */
    uint16_t gyro_range_dps; /* gyro full scale (dps) for acc+gyro layouts, 0 otherwise */
    uint8_t acc_range_g;     /* acc full scale (g), > 0: g per LSB = acc_range_g / 32768 */
} glf_header_t;

/* Channels (int16 values per sample) of a layout byte, or 0 if the channel set is unknown. */
unsigned glf_channels(uint8_t layout);

/* Total frame bytes for n samples with the v1 base header, or 0 for an invalid layout/n. */
size_t glf_frame_size(uint8_t layout, size_t n);

/* Largest n whose frame fits one notification at this ATT MTU (and GLF_MAX_FRAME_LEN);
 * 0 if the MTU is too small for a single sample or the layout is invalid. */
size_t glf_max_samples(uint16_t att_mtu, uint8_t layout);

/* Encode h and n*channels interleaved int16 samples (x,y,z[,gx,gy,gz] per sample).
 * Returns the frame length or a negative error (header fields are validated by the same
 * rules as the decoder, so an encoder can never emit a frame the decoder rejects). */
int glf_encode(uint8_t *out, size_t cap, const glf_header_t *h, const int16_t *samples);

/* As glf_encode, with ext_len (h->header_len - 16) header-extension bytes copied after the
 * base header (future minor revisions; v1 readers skip them). h->header_len must equal
 * 16 + ext_len, or be 0. */
int glf_encode_ext(uint8_t *out, size_t cap, const glf_header_t *h, const uint8_t *ext,
                   size_t ext_len, const int16_t *samples);

/* Validate a whole frame (lengths, fields, CRC when flagged) and fill *h. */
int glf_decode_header(const uint8_t *buf, size_t len, glf_header_t *h);

/* glf_decode_header, then copy the n*channels samples into samples[0..cap_values). */
int glf_decode(const uint8_t *buf, size_t len, glf_header_t *h, int16_t *samples,
               size_t cap_values);

/* CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final xor.
 * glf_crc16("123456789") == 0x29B1. glf_crc16_update continues a running CRC. */
uint16_t glf_crc16(const uint8_t *data, size_t len);
uint16_t glf_crc16_update(uint16_t crc, const uint8_t *data, size_t len);

/* Short lowercase name of an error code ("truncated", "crc", ...), "ok" for GLF_OK. */
const char *glf_strerror(int err);

/* Multiply a raw count by num/den with rounding half away from zero, saturating to int16.
 * Firmware uses it when its sensor's LSB differs from full_scale/32768 (e.g. ST gyros). */
int16_t glf_rescale_i16(int32_t raw, int32_t num, int32_t den);

/* ---- control characteristic ---------------------------------------------------------- */
#define GLF_OP_START 0x01u
#define GLF_OP_STOP 0x02u
#define GLF_OP_RESPONSE 0xF0u       /* first byte of a response notification */
#define GLF_CMD_START_LEN 7u
#define GLF_CMD_STOP_LEN 1u
#define GLF_RESP_LEN 3u

/* status byte of a response notification */
#define GLF_STATUS_OK 0x00u
#define GLF_STATUS_UNKNOWN_OP 0x01u
#define GLF_STATUS_BAD_LENGTH 0x02u
#define GLF_STATUS_BAD_RATE 0x03u
#define GLF_STATUS_BAD_RANGE 0x04u
#define GLF_STATUS_BAD_LAYOUT 0x05u
#define GLF_STATUS_BUSY 0x06u

typedef struct {
    uint8_t op;              /* GLF_OP_START or GLF_OP_STOP */
    uint16_t odr_hz;         /* START: requested rate, 0 = keep current */
    uint8_t acc_range_g;     /* START: 0 = keep current */
    uint16_t gyro_range_dps; /* START: 0 = keep current (ignored for acc-only) */
    uint8_t layout;          /* START: GLF_LAYOUT_* | optional GLF_FLAG_CRC, 0 = keep current */
} glf_cmd_t;

int glf_cmd_encode(uint8_t *out, size_t cap, const glf_cmd_t *cmd);
/* GLF_OK, GLF_ERR_OPCODE (unknown op) or GLF_ERR_TRUNCATED/GLF_ERR_COUNT (wrong length). */
int glf_cmd_decode(const uint8_t *buf, size_t len, glf_cmd_t *cmd);
/* The response status to send back for a glf_cmd_decode result. */
uint8_t glf_status_for_error(int err);

int glf_resp_encode(uint8_t *out, size_t cap, uint8_t op, uint8_t status);
int glf_resp_decode(const uint8_t *buf, size_t len, uint8_t *op, uint8_t *status);

/* ---- device-info characteristic (read) ------------------------------------------------ */
#define GLF_INFO_VERSION 1u
#define GLF_INFO_LEN 36u
#define GLF_MODEL_LEN 16u

#define GLF_PLACEMENT_UNKNOWN 0u
#define GLF_PLACEMENT_WAIST 1u
#define GLF_PLACEMENT_SHOE 2u
#define GLF_SIDE_UNKNOWN 0u
#define GLF_SIDE_LEFT 1u
#define GLF_SIDE_RIGHT 2u
#define GLF_STATE_IDLE 0u
#define GLF_STATE_STREAMING 1u

#define GLF_BOARD_UNKNOWN 0x0000u
#define GLF_BOARD_XIAO_NRF52840_SENSE 0x0001u
#define GLF_BOARD_NANO33_BLE_SENSE_REV2 0x0002u
#define GLF_BOARD_ESP32_MPU6050 0x0003u
#define GLF_BOARD_ESP32_ICM42688 0x0004u
#define GLF_BOARD_M5STICKC_PLUS 0x0005u
#define GLF_BOARD_EMULATOR 0xFFFEu

typedef struct {
    uint8_t info_version;     /* decode: GLF_INFO_VERSION; ignored by the encoder */
    uint8_t info_len;         /* decode: record length (>= 36); ignored by the encoder */
    uint8_t glf_version;      /* frame version the firmware sends */
    uint8_t fw_major, fw_minor, fw_patch;
    uint16_t board_id;        /* GLF_BOARD_* */
    uint8_t placement;        /* GLF_PLACEMENT_* */
    uint8_t side;             /* GLF_SIDE_* */
    uint8_t acc_range_g;      /* current setting */
    uint8_t layout_mask;      /* bit c set = channel set c supported (bit1 acc, bit2 acc+gyro) */
    uint16_t gyro_range_dps;  /* current setting, 0 = no gyro */
    uint16_t odr_hz;          /* current setting */
    uint16_t max_odr_hz;
    uint8_t state;            /* GLF_STATE_* */
    char model[GLF_MODEL_LEN + 1]; /* sensor part, printable ASCII, NUL-terminated here */
} glf_info_t;

int glf_info_encode(uint8_t *out, size_t cap, const glf_info_t *info);
int glf_info_decode(const uint8_t *buf, size_t len, glf_info_t *info);

#ifdef __cplusplus
}
#endif

#endif /* GLF_H */
