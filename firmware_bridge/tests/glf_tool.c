/*
 * glf_tool.c - decode a batch of records with the C library and print one line per record,
 * so other implementations (the Python codec) can be checked against it differentially.
 *
 * usage: glf_tool frame|info|cmd FILE
 * FILE holds records as [u16 little-endian length][bytes]. Output per record:
 *   frame: "ok <version> <header_len> <layout> <n> <seq> <odr_hz> <t0_us> <gyro_range_dps>
 *           <acc_range_g> <v0> <v1> ..." or "err <name>"
 *   info:  "ok <board_id> <model>" or "err <name>";   cmd: "ok <op> <odr> <acc> <gyro> <layout>"
 */
#include <stdio.h>
#include <string.h>

#include "glf.h"

static uint8_t rec[65536];
static int16_t vals[GLF_MAX_FRAME_LEN];

int main(int argc, char **argv)
{
    FILE *f;
    uint8_t lenb[2];
    if (argc != 3) {
        fprintf(stderr, "usage: %s frame|info|cmd FILE\n", argv[0]);
        return 2;
    }
    f = fopen(argv[2], "rb");
    if (f == NULL) {
        fprintf(stderr, "glf_tool: cannot open %s\n", argv[2]);
        return 2;
    }
    while (fread(lenb, 1, 2, f) == 2u) {
        size_t len = (size_t)lenb[0] | ((size_t)lenb[1] << 8);
        int err;
        if (fread(rec, 1, len, f) != len) {
            fprintf(stderr, "glf_tool: truncated record\n");
            return 2;
        }
        if (strcmp(argv[1], "frame") == 0) {
            glf_header_t h;
            err = glf_decode(rec, len, &h, vals, sizeof vals / sizeof vals[0]);
            if (err == GLF_OK) {
                size_t i;
                size_t nv = (size_t)h.n * glf_channels(h.layout);
                printf("ok %u %u %u %u %u %u %lu %u %u", h.version, h.header_len, h.layout, h.n, h.seq,
                       h.odr_hz, (unsigned long)h.t0_us, h.gyro_range_dps, h.acc_range_g);
                for (i = 0; i < nv; i++) {
                    printf(" %d", vals[i]);
                }
                putchar('\n');
                continue;
            }
        } else if (strcmp(argv[1], "info") == 0) {
            glf_info_t info;
            err = glf_info_decode(rec, len, &info);
            if (err == GLF_OK) {
                printf("ok %u %s\n", info.board_id, info.model);
                continue;
            }
        } else {
            glf_cmd_t c;
            err = glf_cmd_decode(rec, len, &c);
            if (err == GLF_OK) {
                printf("ok %u %u %u %u %u\n", c.op, c.odr_hz, c.acc_range_g, c.gyro_range_dps, c.layout);
                continue;
            }
        }
        printf("err %s\n", glf_strerror(err));
    }
    fclose(f);
    return 0;
}
