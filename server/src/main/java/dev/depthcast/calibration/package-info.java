/**
 * Frames kept for INT8 calibration ({@code serve.sh --record-calibration DIR}):
 * {@code CalibrationRecorder} keeps a few frames of live sessions, spread in time and across
 * clients, and writes them as YUV4MPEG2 clips ({@code Y4m}), which the engine builder
 * ({@code scripts/build-engine.sh --calib-images DIR}) reads back through the serving
 * preprocessor. Threads: frames are offered on WebRTC decoder threads, which never block (a full
 * queue skips the frame); one writer thread of the recorder's own writes the clips.
 */
package dev.depthcast.calibration;
