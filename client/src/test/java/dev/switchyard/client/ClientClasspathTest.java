package dev.switchyard.client;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The client runs on users' classpaths: what its module brings must be enough to load it, and the
 * server's actor system, logging backend and code must not come along. The enforcer rule in
 * client/pom.xml checks the declared tree; this checks the classpath the tests really got.
 */
class ClientClasspathTest
{
    private static final List<String> SERVER_SIDE = List.of(
        "org.apache.pekko.actor.typed.ActorSystem",
        "ch.qos.logback.classic.Logger",
        "com.typesafe.config.Config",
        "scala.Option",
        "com.fasterxml.jackson.databind.ObjectMapper",
        "dev.switchyard.model.config.RoutingConfig",
        "dev.switchyard.experts.endpoint.ExpertEndpoint",
        "dev.switchyard.node.system.SwitchyardNode");

    @Test
    void loadsWithItsOwnDependencies()
    {
        for (final Class<?> type : List.of(SwitchyardClient.class, RequestOptions.class, InferAnswer.class,
            AnswerStatus.class, RequestStream.class))
        {
            assertDoesNotThrow(() -> Class.forName(type.getName(), true, getClass().getClassLoader()));
        }
    }

    @Test
    void bringsNoServerSideClass()
    {
        for (final String name : SERVER_SIDE)
        {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(name, false, getClass().getClassLoader()),
                name + " is on the client's classpath");
        }
    }
}
