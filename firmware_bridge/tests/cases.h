/*
 * cases.h - the golden test cases, defined once and shared by make_vectors.c (which writes
 * them to vectors/) and test_glf.c (which checks the library against them).
 */
#ifndef GLF_CASES_H
#define GLF_CASES_H

#include <stddef.h>
#include <stdint.h>

#include "glf.h"

#define GLF_CASE_MAX_BYTES 4096u
#define GLF_CASE_MAX_VALUES (255u * 6u)

typedef enum { CASE_FRAME, CASE_INFO, CASE_CMD, CASE_RESP } glf_case_kind_t;

typedef struct {
    char name[48];
    glf_case_kind_t kind;
    int expect;                      /* GLF_OK or the GLF_ERR_* the decoder must return */
    uint8_t bytes[GLF_CASE_MAX_BYTES];
    size_t len;
    /* decoded expectation, valid when expect == GLF_OK */
    glf_header_t hdr;
    int16_t samples[GLF_CASE_MAX_VALUES];
    uint8_t ext[8];
    size_t ext_len;
    glf_info_t info;
    glf_cmd_t cmd;
    uint8_t resp_op;
    uint8_t resp_status;
} glf_case_t;

/* Fill cases[0..cap) and return the number of cases, or 0 if a case could not be built. */
size_t glf_cases_build(glf_case_t *cases, size_t cap);

const char *glf_case_kind_name(glf_case_kind_t kind);

#endif
