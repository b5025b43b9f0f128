package dev.depthcast.webrtc;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;

/**
 * The process-wide WebRTC factory. Built with a headless audio module: the no-argument factory
 * aborts the JVM on machines without a sound device ("Failed to initialize the ADM").
 */
public final class WebRtcEngine implements AutoCloseable {

    private final HeadlessAudioDeviceModule audio = new HeadlessAudioDeviceModule();
    private final PeerConnectionFactory factory = new PeerConnectionFactory(audio);

    public PeerConnectionFactory factory() {
        return factory;
    }

    @Override
    public void close() {
        factory.dispose();
        audio.dispose();
    }
}
