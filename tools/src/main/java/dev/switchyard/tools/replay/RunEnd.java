package dev.switchyard.tools.replay;

/**
 * How an open-loop run ended.
 *
 * @param unanswered  requests sent and never answered
 * @param lostGateway why the client gave the gateway up, or null while it was connected to the end
 * @param lostAtNs    when the run saw the gateway gone, ns after its start (-1 when it did not)
 * @param behindNs    when the sender fell so far behind that the send window closed with requests
 *                    still due: how late the first of them was, ns (-1 when every request was sent)
 */
public record RunEnd(long unanswered, String lostGateway, long lostAtNs, long behindNs)
{
    public boolean gatewayLost()
    {
        return lostGateway != null;
    }

    public boolean cutShort()
    {
        return behindNs >= 0;
    }
}
