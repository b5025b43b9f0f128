package dev.depthcast.calibration;

import dev.depthcast.ingest.I420Frame;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * YUV4MPEG2 (".y4m") clips of 4:2:0 frames: what the server records for INT8 calibration and
 * what the engine builder reads back, a format ffmpeg, GStreamer and most players read and write
 * ({@code ffmpeg -i clip.mp4 -pix_fmt yuv420p clip.y4m}). One frame size per file; planes are
 * tightly packed, as {@link I420Frame} holds them, so no conversion happens either way.
 */
public final class Y4m {

    private static final String MAGIC = "YUV4MPEG2";
    /** The colour tags of 8-bit 4:2:0 (they differ only in chroma siting, which does not matter here). */
    private static final java.util.Set<String> EIGHT_BIT_420 =
            java.util.Set.of("420", "420jpeg", "420mpeg2", "420paldv");
    /** Generous: a header line of a real clip is ~50 bytes. */
    private static final int MAX_LINE = 1024;

    private Y4m() {}

    /** Writes a clip header for frames of one size at {@code fps}. */
    public static void writeHeader(OutputStream out, int width, int height, int fps) throws IOException {
        out.write(String.format("%s W%d H%d F%d:1 Ip A1:1 C420jpeg\n", MAGIC, width, height, fps)
                .getBytes(StandardCharsets.US_ASCII));
    }

    /** Appends one frame (its size must be the header's). */
    public static void writeFrame(OutputStream out, I420Frame f) throws IOException {
        out.write("FRAME\n".getBytes(StandardCharsets.US_ASCII));
        out.write(f.y(), 0, I420Frame.lumaSize(f.width(), f.height()));
        out.write(f.u(), 0, I420Frame.chromaSize(f.width(), f.height()));
        out.write(f.v(), 0, I420Frame.chromaSize(f.width(), f.height()));
    }

    /** Writes a whole clip. */
    public static void write(Path file, List<I420Frame> frames, int fps) throws IOException {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("no frames to write");
        }
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
            writeHeader(out, frames.get(0).width(), frames.get(0).height(), fps);
            for (I420Frame f : frames) {
                if (f.width() != frames.get(0).width()
                        || f.height() != frames.get(0).height()) {
                    throw new IllegalArgumentException("a y4m clip has one frame size");
                }
                writeFrame(out, f);
            }
        }
    }

    /**
     * Every frame of a clip. Refuses, naming the file, anything but 4:2:0 8-bit (C420, C420jpeg,
     * C420mpeg2, C420paldv, or no C tag) and interlaced or truncated clips.
     */
    public static List<I420Frame> read(Path file) throws IOException {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            String header = line(in, file);
            if (header == null || !header.startsWith(MAGIC + " ")) {
                throw bad(file, "not a YUV4MPEG2 clip");
            }
            int w = -1;
            int h = -1;
            for (String tag : header.substring(MAGIC.length() + 1).split(" ")) {
                if (tag.isEmpty()) {
                    continue;
                }
                char k = tag.charAt(0);
                String v = tag.substring(1);
                try {
                    if (k == 'W') {
                        w = Integer.parseInt(v);
                    } else if (k == 'H') {
                        h = Integer.parseInt(v);
                    }
                } catch (NumberFormatException e) {
                    throw bad(file, "bad " + k + " tag '" + tag + "'");
                }
                if (k == 'C' && !EIGHT_BIT_420.contains(v)) {
                    throw bad(file, "colour space " + v + "; only 8-bit 4:2:0 is read (ffmpeg -pix_fmt yuv420p)");
                }
                if (k == 'I' && !v.equals("p") && !v.equals("?")) {
                    throw bad(file, "interlaced (I" + v + "); only progressive clips are read");
                }
            }
            if (w < 2 || h < 2 || w > 8192 || h > 8192) {
                throw bad(file, "frame size " + w + "x" + h + " missing or out of range");
            }
            int luma = I420Frame.lumaSize(w, h);
            int chroma = I420Frame.chromaSize(w, h);
            List<I420Frame> frames = new ArrayList<>();
            String marker;
            while ((marker = line(in, file)) != null) {
                if (!marker.startsWith("FRAME")) {
                    throw bad(file, "frame " + frames.size() + " does not start with FRAME");
                }
                byte[] y = in.readNBytes(luma);
                byte[] u = in.readNBytes(chroma);
                byte[] v = in.readNBytes(chroma);
                if (v.length < chroma) {
                    throw bad(file, "frame " + frames.size() + " is truncated");
                }
                frames.add(new I420Frame(w, h, y, u, v, frames.size(), 0, 0, 0, 0));
            }
            return frames;
        }
    }

    private static String line(InputStream in, Path file) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (b.size() >= MAX_LINE) {
                throw bad(file, "header line longer than " + MAX_LINE + " bytes");
            }
            b.write(c);
        }
        if (c == -1 && b.size() == 0) {
            return null;
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    private static IOException bad(Path file, String why) {
        return new IOException(file + ": " + why);
    }
}
