/**
 * The Java client of a Switchyard gateway. {@link dev.switchyard.client.SwitchyardClient} is the
 * whole public face; behind it each package-private class has one job:
 * <ul>
 *   <li>{@code GatewayConnection}: the publication and subscription to the gateway, the handshake,
 *       the request publication sized to the gateway's largest request, hellos, offering a request;</li>
 *   <li>{@code GatewayLiveness}: losing the gateway to its silence or a lost connection, and winning
 *       it back, measured in the time this process ran on an injected clock;</li>
 *   <li>{@code RequestSplitter}, {@code RequestPart}, {@code RequestSender}: cutting a request into
 *       messages of whole groups, writing each (part, caller, total tokens, deadline), sending it;</li>
 *   <li>{@code PendingAnswers}, {@code AnswerJoin}: the messages waiting for their answers, filled as
 *       answers come, and the parts' answers joined into the request's;</li>
 *   <li>{@code ClientAgent}: the receiving thread, handing each frame to the part that takes it.</li>
 * </ul>
 */
package dev.switchyard.client;
