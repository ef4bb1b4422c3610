package dev.switchyard.node.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.switchyard.wire.BadInputException;

/**
 * Pekko remoting over TLS with mutual authentication, as one switch: with
 * {@code switchyard.cluster.tls.enabled = on} every node presents its key store's certificate and
 * accepts only peers whose certificate its trust store holds, so a node without the cluster's
 * certificate cannot join. The stores' passwords are read from the configuration (which may take
 * them from the environment, {@code ${?VAR}}) and never logged.
 */
public final class ClusterTls
{
    private static final String TLS = "switchyard.cluster.tls";
    private static final String ENGINE = "pekko.remote.artery.ssl.config-ssl-engine";

    private ClusterTls()
    {
    }

    /** The Pekko settings that TLS needs, to be laid over the node's configuration; empty when TLS is off. */
    public static Config pekkoOverrides(final Config full)
    {
        if (!full.hasPath(TLS + ".enabled") || !full.getBoolean(TLS + ".enabled"))
        {
            return ConfigFactory.empty();
        }
        final Config tls = full.getConfig(TLS);
        final String keyStore = store(tls, "key-store");
        final String trustStore = store(tls, "trust-store");
        final String keyStorePassword = tls.getString("key-store-password");
        final String keyPassword = tls.getString("key-password").isEmpty() ? keyStorePassword :
            tls.getString("key-password");
        return ConfigFactory.empty()
            .withValue("pekko.remote.artery.transport", ConfigValueFactory.fromAnyRef("tls-tcp"))
            .withValue(ENGINE + ".key-store", ConfigValueFactory.fromAnyRef(keyStore))
            .withValue(ENGINE + ".key-store-password", ConfigValueFactory.fromAnyRef(keyStorePassword))
            .withValue(ENGINE + ".key-password", ConfigValueFactory.fromAnyRef(keyPassword))
            .withValue(ENGINE + ".trust-store", ConfigValueFactory.fromAnyRef(trustStore))
            .withValue(ENGINE + ".trust-store-password",
                ConfigValueFactory.fromAnyRef(tls.getString("trust-store-password")))
            .withValue(ENGINE + ".protocol", ConfigValueFactory.fromAnyRef("TLSv1.3"))
            .withValue(ENGINE + ".enabled-algorithms",
                ConfigValueFactory.fromIterable(List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256")))
            .withValue(ENGINE + ".require-mutual-authentication", ConfigValueFactory.fromAnyRef(true));
    }

    private static String store(final Config tls, final String key)
    {
        final String path = tls.getString(key);
        if (path.isEmpty())
        {
            throw new BadInputException(TLS + "." + key + " must name a PKCS12 or JKS file when " + TLS +
                ".enabled is on");
        }
        if (!Files.isReadable(Path.of(path)))
        {
            throw new BadInputException(TLS + "." + key + ": cannot read " + path);
        }
        return path;
    }
}
