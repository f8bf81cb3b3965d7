// GLF v1 reference firmware: Seeed XIAO nRF52840 Sense (on-board LSM6DS3TR-C), Arduino framework
// with the "Seeed nRF52 Boards" core (Adafruit Bluefruit stack). Protocol: ../../PROTOCOL.md.
//
// Sampling: the IMU's own FIFO at its ODR, with the FIFO-threshold interrupt on INT1. The IMU
// clocks the samples (evenly spaced, no jitter from the BLE stack blocking the CPU), the MCU only
// time-stamps the interrupt with micros() and drains the FIFO. The host measures the true IMU rate
// from t0_us, so the IMU oscillator's few-% tolerance costs nothing.
//
// All frame/command/info encoding is the host-tested C library (glf.c); this file is glue.
// Build: see README.md (glf.h / glf.c are copied next to this sketch by `make sketch-lib`, or
// copy them by hand).

#include <Arduino.h>
#include <Wire.h>
#include <bluefruit.h>

extern "C" {
#include "glf.h"
}

// ---- board -------------------------------------------------------------------------------------
#ifndef PIN_LSM6DS3TR_C_INT1
#error "Define PIN_LSM6DS3TR_C_INT1 as the Arduino pin number of P0.11 (IMU INT1) for your core version"
#endif
static const uint8_t IMU_ADDR = 0x6A;
static const uint8_t FW_MAJOR = 1, FW_MINOR = 0, FW_PATCH = 0;

// LSM6DS3TR-C registers (datasheet DocID030071)
enum : uint8_t {
  REG_FIFO_CTRL1 = 0x06, REG_FIFO_CTRL2 = 0x07, REG_FIFO_CTRL3 = 0x08, REG_FIFO_CTRL5 = 0x0A,
  REG_INT1_CTRL = 0x0D, REG_WHO_AM_I = 0x0F, REG_CTRL1_XL = 0x10, REG_CTRL2_G = 0x11,
  REG_CTRL3_C = 0x12, REG_FIFO_STATUS1 = 0x3A, REG_FIFO_STATUS2 = 0x3B, REG_FIFO_DATA_OUT_L = 0x3E,
};

// ---- GATT (128-bit UUIDs, least-significant byte first as Bluefruit expects) -------------------
#define GLF_UUID(x) {0xde, 0xc0, 0x74, 0x69, 0x61, 0x67, 0x53, 0x9a, 0x0b, 0x4e, 0x3b, 0x5d, x, 0x00, 0xc7, 0xa9}
static const uint8_t UUID_SVC[16] = GLF_UUID(0x01);
static const uint8_t UUID_DATA[16] = GLF_UUID(0x02);
static const uint8_t UUID_CTRL[16] = GLF_UUID(0x03);
static const uint8_t UUID_INFO[16] = GLF_UUID(0x04);
static BLEService svc(UUID_SVC);
static BLECharacteristic dataChr(UUID_DATA);
static BLECharacteristic ctrlChr(UUID_CTRL);
static BLECharacteristic infoChr(UUID_INFO);

// ---- state -------------------------------------------------------------------------------------
struct Config { uint16_t odr_hz; uint8_t acc_range_g; uint16_t gyro_range_dps; uint8_t layout; };
static Config cfg = {416, 16, 2000, GLF_LAYOUT_ACC_GYRO};
static volatile bool fifoIrq = false;
static volatile uint32_t fifoIrqUs = 0;
static bool streaming = false;
static uint16_t connHandle = BLE_CONN_HANDLE_INVALID;
static uint16_t seq = 0;
static uint8_t samplesPerFrame = 1;

static int16_t frameValues[255 * 6];   // samples of the frame being filled
static uint8_t frameFill = 0;
static uint32_t frameT0us = 0;
static uint8_t txBuf[GLF_MAX_FRAME_LEN];

// ---- IMU access (Wire1 = the internal I2C bus of the Sense) -------------------------------------
static void imuWrite(uint8_t reg, uint8_t val) {
  Wire1.beginTransmission(IMU_ADDR);
  Wire1.write(reg);
  Wire1.write(val);
  Wire1.endTransmission();
}

static bool imuRead(uint8_t reg, uint8_t *buf, uint8_t len) {
  Wire1.beginTransmission(IMU_ADDR);
  Wire1.write(reg);
  if (Wire1.endTransmission(false) != 0) return false;
  if (Wire1.requestFrom(IMU_ADDR, len) != len) return false;
  for (uint8_t i = 0; i < len; i++) buf[i] = Wire1.read();
  return true;
}

static int odrCode(uint16_t hz) {  // CTRL1_XL / CTRL2_G / FIFO ODR field
  switch (hz) {
    case 104: return 0x4; case 208: return 0x5; case 416: return 0x6;
    case 833: return 0x7; case 1666: return 0x8; default: return -1;
  }
}

static int accFsBits(uint8_t g) {
  switch (g) { case 2: return 0x0; case 4: return 0x2; case 8: return 0x3; case 16: return 0x1; default: return -1; }
}

static int gyroFsBits(uint16_t dps) {  // FS_G[3:2] | FS_125[1]
  switch (dps) {
    case 125: return 0x2; case 250: return 0x0; case 500: return 0x4;
    case 1000: return 0x8; case 2000: return 0xC; default: return -1;
  }
}

static void imuStop() {
  imuWrite(REG_INT1_CTRL, 0x00);
  imuWrite(REG_FIFO_CTRL5, 0x00);  // bypass mode empties the FIFO
  imuWrite(REG_CTRL1_XL, 0x00);    // power down
  imuWrite(REG_CTRL2_G, 0x00);
}

static void imuStart(const Config &c) {
  bool gyro = glf_channels(c.layout) == 6;
  uint16_t thresholdWords = (uint16_t)(samplesPerFrame * (gyro ? 6 : 3));
  uint8_t odr = (uint8_t)odrCode(c.odr_hz);
  imuStop();
  imuWrite(REG_CTRL3_C, 0x44);  // BDU + register auto-increment
  imuWrite(REG_CTRL1_XL, (uint8_t)((odr << 4) | (accFsBits(c.acc_range_g) << 2)));
  imuWrite(REG_CTRL2_G, gyro ? (uint8_t)((odr << 4) | gyroFsBits(c.gyro_range_dps)) : 0x00);
  imuWrite(REG_FIFO_CTRL1, (uint8_t)(thresholdWords & 0xFF));
  imuWrite(REG_FIFO_CTRL2, (uint8_t)((thresholdWords >> 8) & 0x07));
  imuWrite(REG_FIFO_CTRL3, gyro ? 0x09 : 0x01);  // gyro and/or acc into the FIFO, no decimation
  imuWrite(REG_INT1_CTRL, 0x08);                  // INT1 on FIFO threshold
  imuWrite(REG_FIFO_CTRL5, (uint8_t)((odr << 3) | 0x06));  // continuous mode at the ODR
}

static void onFifoThreshold() {  // ISR: time-stamp only
  fifoIrqUs = micros();
  fifoIrq = true;
}

// ---- frames ------------------------------------------------------------------------------------
static void sendFrame() {
  glf_header_t h = {};
  h.layout = cfg.layout;
  h.n = frameFill;
  h.seq = seq++;  // advances even if the notification is dropped below: the host sees the loss
  h.odr_hz = cfg.odr_hz;
  h.t0_us = frameT0us;
  h.acc_range_g = cfg.acc_range_g;
  h.gyro_range_dps = glf_channels(cfg.layout) == 6 ? cfg.gyro_range_dps : 0;
  int len = glf_encode(txBuf, sizeof txBuf, &h, frameValues);
  if (len > 0 && connHandle != BLE_CONN_HANDLE_INVALID) {
    dataChr.notify(connHandle, txBuf, (uint16_t)len);  // false = TX queue full: frame lost
  }
  frameFill = 0;
}

// Drain the FIFO. The interrupt fired when the FIFO reached samplesPerFrame samples, so that
// sample was taken at fifoIrqUs; earlier/later ones are spaced by the nominal period (they are at
// most a few samples away, and the host refines the period from successive t0_us anyway).
static void drainFifo(uint32_t irqUs) {
  const bool gyro = glf_channels(cfg.layout) == 6;
  const uint8_t k = gyro ? 6 : 3;
  uint8_t st[2];
  if (!imuRead(REG_FIFO_STATUS1, st, 2)) return;
  uint16_t words = (uint16_t)(st[0] | ((st[1] & 0x07) << 8));
  uint16_t samples = words / k;
  const uint32_t periodUs = 1000000UL / cfg.odr_hz;
  for (uint16_t s = 0; s < samples; s++) {
    uint8_t raw[12];
    if (!imuRead(REG_FIFO_DATA_OUT_L, raw, (uint8_t)(2 * k))) return;  // address wraps 3Fh -> 3Eh
    int16_t v[6];
    for (uint8_t i = 0; i < k; i++) v[i] = (int16_t)(raw[2 * i] | (raw[2 * i + 1] << 8));
    if (frameFill == 0) {
      frameT0us = irqUs + (uint32_t)((int32_t)s - (int32_t)(samplesPerFrame - 1)) * periodUs;
    }
    int16_t *out = &frameValues[frameFill * k];
    // FIFO pattern order is gyro then acc; GLF is acc then gyro
    const int16_t *acc = gyro ? v + 3 : v;
    out[0] = acc[0]; out[1] = acc[1]; out[2] = acc[2];
    if (gyro) {
      for (uint8_t i = 0; i < 3; i++) out[3 + i] = glf_rescale_i16(v[i], 3584, 3125);  // ST LSB -> range/32768
    }
    if (++frameFill == samplesPerFrame) sendFrame();
  }
}

// ---- info + control ----------------------------------------------------------------------------
static void publishInfo() {
  glf_info_t info = {};
  info.glf_version = GLF_VERSION;
  info.fw_major = FW_MAJOR; info.fw_minor = FW_MINOR; info.fw_patch = FW_PATCH;
  info.board_id = GLF_BOARD_XIAO_NRF52840_SENSE;
  info.placement = GLF_PLACEMENT_UNKNOWN;  // set per build for a dedicated waist/shoe pod
  info.side = GLF_SIDE_UNKNOWN;
  info.acc_range_g = cfg.acc_range_g;
  info.layout_mask = (1u << GLF_LAYOUT_ACC) | (1u << GLF_LAYOUT_ACC_GYRO);
  info.gyro_range_dps = cfg.gyro_range_dps;
  info.odr_hz = cfg.odr_hz;
  info.max_odr_hz = 1666;
  info.state = streaming ? GLF_STATE_STREAMING : GLF_STATE_IDLE;
  strncpy(info.model, "LSM6DS3TR-C", sizeof info.model);
  uint8_t buf[GLF_INFO_LEN];
  if (glf_info_encode(buf, sizeof buf, &info) > 0) infoChr.write(buf, sizeof buf);
}

static void respond(uint16_t conn, uint8_t op, uint8_t status) {
  uint8_t buf[GLF_RESP_LEN];
  if (glf_resp_encode(buf, sizeof buf, op, status) > 0) ctrlChr.notify(conn, buf, sizeof buf);
}

static void stopStreaming() {
  streaming = false;
  imuStop();
  frameFill = 0;
  publishInfo();
}

static void onControl(uint16_t conn, BLECharacteristic *, uint8_t *data, uint16_t len) {
  glf_cmd_t cmd;
  int err = glf_cmd_decode(data, len, &cmd);
  uint8_t op = len ? data[0] : 0;
  if (err != GLF_OK) { respond(conn, op, glf_status_for_error(err)); return; }
  if (cmd.op == GLF_OP_STOP) { stopStreaming(); respond(conn, op, GLF_STATUS_OK); return; }
  Config next = cfg;  // 0 = keep current
  if (cmd.odr_hz) next.odr_hz = cmd.odr_hz;
  if (cmd.acc_range_g) next.acc_range_g = cmd.acc_range_g;
  if (cmd.gyro_range_dps) next.gyro_range_dps = cmd.gyro_range_dps;
  if (cmd.layout) next.layout = cmd.layout;
  if (odrCode(next.odr_hz) < 0) { respond(conn, op, GLF_STATUS_BAD_RATE); return; }
  if (accFsBits(next.acc_range_g) < 0 || gyroFsBits(next.gyro_range_dps) < 0) {
    respond(conn, op, GLF_STATUS_BAD_RANGE);
    return;
  }
  if (!dataChr.notifyEnabled(conn)) { respond(conn, op, GLF_STATUS_BUSY); return; }
  size_t n = glf_max_samples(Bluefruit.Connection(conn)->getMtu(), next.layout);
  if (n == 0) { respond(conn, op, GLF_STATUS_BUSY); return; }  // MTU exchange not done yet
  cfg = next;
  samplesPerFrame = (uint8_t)n;
  seq = 0;
  frameFill = 0;
  imuStart(cfg);
  streaming = true;
  publishInfo();
  respond(conn, op, GLF_STATUS_OK);
}

static void onConnect(uint16_t conn) {
  connHandle = conn;
  BLEConnection *c = Bluefruit.Connection(conn);
  c->requestPHY();                 // 2M PHY
  c->requestDataLengthUpdate();    // DLE: 251-byte link-layer packets
  c->requestMtuExchange(247);
}

static void onDisconnect(uint16_t, uint8_t) {
  connHandle = BLE_CONN_HANDLE_INVALID;
  stopStreaming();  // the host restarts with a START after reconnecting
}

// ---- setup / loop ------------------------------------------------------------------------------
void setup() {
  pinMode(PIN_LSM6DS3TR_C_POWER, OUTPUT);
  NRF_P1->PIN_CNF[8] |= (3 << 8);  // P1.08 (IMU power) high drive, as Seeed's examples do
  digitalWrite(PIN_LSM6DS3TR_C_POWER, HIGH);
  delay(20);
  Wire1.begin();
  Wire1.setClock(400000);
  uint8_t who = 0;
  imuRead(REG_WHO_AM_I, &who, 1);  // 0x6A expected; a wrong part still advertises, info says which
  imuStop();
  pinMode(PIN_LSM6DS3TR_C_INT1, INPUT);
  attachInterrupt(digitalPinToInterrupt(PIN_LSM6DS3TR_C_INT1), onFifoThreshold, RISING);

  Bluefruit.configPrphBandwidth(BANDWIDTH_MAX);  // MTU 247 and long connection events
  Bluefruit.begin();
  Bluefruit.setTxPower(4);
  char name[16];
  uint8_t mac[6];
  Bluefruit.getAddr(mac);
  snprintf(name, sizeof name, "GaitLab-%02X%02X", mac[1], mac[0]);
  Bluefruit.setName(name);
  Bluefruit.Periph.setConnInterval(12, 24);  // 15-30 ms (1.25 ms units)
  Bluefruit.Periph.setConnectCallback(onConnect);
  Bluefruit.Periph.setDisconnectCallback(onDisconnect);

  svc.begin();
  dataChr.setProperties(CHR_PROPS_NOTIFY);
  dataChr.setPermission(SECMODE_OPEN, SECMODE_NO_ACCESS);
  dataChr.setMaxLen(GLF_MAX_FRAME_LEN);
  dataChr.begin();
  ctrlChr.setProperties(CHR_PROPS_WRITE | CHR_PROPS_NOTIFY);
  ctrlChr.setPermission(SECMODE_OPEN, SECMODE_OPEN);
  ctrlChr.setMaxLen(GLF_CMD_START_LEN);
  ctrlChr.setWriteCallback(onControl);
  ctrlChr.begin();
  infoChr.setProperties(CHR_PROPS_READ);
  infoChr.setPermission(SECMODE_OPEN, SECMODE_NO_ACCESS);
  infoChr.setFixedLen(GLF_INFO_LEN);
  infoChr.begin();
  publishInfo();

  Bluefruit.Advertising.addFlags(BLE_GAP_ADV_FLAGS_LE_ONLY_GENERAL_DISC_MODE);
  Bluefruit.Advertising.addService(svc);
  Bluefruit.ScanResponse.addName();
  Bluefruit.Advertising.restartOnDisconnect(true);
  Bluefruit.Advertising.setInterval(160, 244);  // 100-152.5 ms
  Bluefruit.Advertising.start(0);
}

void loop() {
  if (streaming && fifoIrq) {
    noInterrupts();
    uint32_t irqUs = fifoIrqUs;
    fifoIrq = false;
    interrupts();
    drainFifo(irqUs);
  } else {
    waitForEvent();  // sleep until the next interrupt (FreeRTOS idle + SoftDevice)
  }
}
