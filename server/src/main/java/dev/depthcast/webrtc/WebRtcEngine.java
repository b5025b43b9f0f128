package dev.depthcast.webrtc;

import dev.depthcast.config.PortRange;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PortAllocatorConfig;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;

/**
 * The process-wide WebRTC factory. Built with a headless audio module: the no-argument factory
 * aborts the JVM on machines without a sound device ("Failed to initialize the ADM").
 */
public final class WebRtcEngine implements AutoCloseable {

    private final HeadlessAudioDeviceModule audio = new HeadlessAudioDeviceModule();
    private final PeerConnectionFactory factory = new PeerConnectionFactory(audio);
    private final PortRange portRange;

    public WebRtcEngine() {
        this(null);
    }

    /** @param portRange {@code --ice-port-range}: the local ports every peer connection binds to, or null for any */
    public WebRtcEngine(PortRange portRange) {
        this.portRange = portRange;
    }

    /** A fresh configuration for one peer connection: no ICE servers, ports from {@code --ice-port-range}. */
    public RTCConfiguration configuration() {
        RTCConfiguration rtc = new RTCConfiguration();
        if (portRange != null) {
            rtc.portAllocatorConfig = new PortAllocatorConfig(portRange.min(), portRange.max(), 0);
        }
        return rtc;
    }

    public PeerConnectionFactory factory() {
        return factory;
    }

    @Override
    public void close() {
        factory.dispose();
        audio.dispose();
    }
}
