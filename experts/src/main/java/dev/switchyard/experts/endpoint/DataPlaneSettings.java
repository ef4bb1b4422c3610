package dev.switchyard.experts.endpoint;

/**
 * How a node runs its data plane.
 *
 * @param host           address other nodes reach this node's UDP endpoints at
 * @param expertPort     UDP port of the expert endpoint (0: any free port)
 * @param gatewayPort    UDP port where a gateway receives results (0: any free port)
 * @param embeddedDriver start a media driver in this JVM (else connect to one at {@code aeronDir})
 * @param aeronDir       directory of an external driver; null with an embedded one
 * @param idle           idle strategy of the data-plane threads: backoff, sleeping, yielding or busy-spin
 * @param ipcTermLength  IPC term length; the largest message is an eighth of it
 * @param udpTermLength  UDP term length; the largest message is an eighth of it
 * @param mtu            UDP MTU (1408 crosses any network; loopback takes up to 64 KiB)
 */
public record DataPlaneSettings(
    String host,
    int expertPort,
    int gatewayPort,
    boolean embeddedDriver,
    String aeronDir,
    String idle,
    int ipcTermLength,
    int udpTermLength,
    int mtu)
{
    public static DataPlaneSettings loopback()
    {
        return new DataPlaneSettings("127.0.0.1", 0, 0, true, null, "backoff", 16 << 20, 16 << 20, 1408);
    }

    public DataPlaneSettings withIdle(final String name)
    {
        return new DataPlaneSettings(
            host, expertPort, gatewayPort, embeddedDriver, aeronDir, name, ipcTermLength, udpTermLength, mtu);
    }

    /** The largest message a publication of this node can carry. */
    public int maxMessageLength()
    {
        return Math.min(Math.min(ipcTermLength, udpTermLength) / 8, 16 << 20);
    }
}
