package io.electionbench.transport.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.UnrecoverableKeyException;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.Locale;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

import io.netty.handler.ssl.SslHandler;

/**
 * Mutual TLS for both peer ports, with the JDK's own provider ({@link SSLContext} and
 * {@link SSLEngine} under Netty's {@link SslHandler}; no tcnative). Set once, then
 * {@link #conclude()} loads both stores and builds the context, so a bad store fails at start, not at
 * the first connection.
 *
 * <p>The setters mirror ZooKeeper's quorum TLS keys ({@code ssl.quorum.keyStore.location} and so on)
 * and every error names the key and the file, because that is what the operator has to fix.
 *
 * <p>Contract: every connection, accepted or dialed, presents our certificate and requires the
 * peer's ({@code needClientAuth}); the peer's chain must lead to an entry of our trust store. The
 * trust store is required: the JDK's default CAs would admit anyone holding a public certificate.
 * With hostname verification (the default, as ZooKeeper) the dialer also checks that the acceptor's
 * certificate names the host it dialed; the acceptor cannot check the dialer's host (its source
 * address says nothing about its name), so it relies on the chain alone.
 */
public final class TlsConfig {
    /** ZooKeeper's key names, used in errors and in the docs. */
    public static final String KEY_STORE_LOCATION = "ssl.quorum.keyStore.location";
    public static final String KEY_STORE_PASSWORD = "ssl.quorum.keyStore.password";
    public static final String KEY_STORE_PASSWORD_PATH = "ssl.quorum.keyStore.passwordPath";
    public static final String KEY_STORE_TYPE = "ssl.quorum.keyStore.type";
    public static final String TRUST_STORE_LOCATION = "ssl.quorum.trustStore.location";
    public static final String TRUST_STORE_PASSWORD = "ssl.quorum.trustStore.password";
    public static final String TRUST_STORE_PASSWORD_PATH = "ssl.quorum.trustStore.passwordPath";
    public static final String TRUST_STORE_TYPE = "ssl.quorum.trustStore.type";
    public static final String PROTOCOL = "ssl.quorum.protocol";
    public static final String ENABLED_PROTOCOLS = "ssl.quorum.enabledProtocols";
    public static final String CIPHER_SUITES = "ssl.quorum.ciphersuites";
    public static final String HOSTNAME_VERIFICATION = "ssl.quorum.hostnameVerification";

    private Path keyStore;
    private char[] keyStorePassword;
    private String keyStoreType;
    private Path trustStore;
    private char[] trustStorePassword;
    private String trustStoreType;
    private String protocol = "TLSv1.3";
    private String[] enabledProtocols;
    private String[] cipherSuites;
    private boolean isHostnameVerification = true;
    private SSLContext context;

    /** Our certificate and private key (one key entry; its password must be the store's, as in ZooKeeper). */
    public TlsConfig keyStore(final Path location, final char[] password, final String type) {
        this.keyStore = location;
        this.keyStorePassword = password == null ? null : password.clone();
        this.keyStoreType = type;
        return this;
    }

    /** The certificates (or CAs) a peer's chain must lead to. */
    public TlsConfig trustStore(final Path location, final char[] password, final String type) {
        this.trustStore = location;
        this.trustStorePassword = password == null ? null : password.clone();
        this.trustStoreType = type;
        return this;
    }

    /** The {@link SSLContext} protocol ({@code TLSv1.3} by default, as ZooKeeper 3.9 on a JDK that has it). */
    public TlsConfig protocol(final String protocol) {
        this.protocol = protocol;
        return this;
    }

    /** Protocols the engines may negotiate; null for {@code protocol} plus TLSv1.2 when it is TLSv1.3. */
    public TlsConfig enabledProtocols(final String... protocols) {
        this.enabledProtocols = protocols == null ? null : protocols.clone();
        return this;
    }

    /** Cipher suites the engines may negotiate; null for the JDK's defaults. */
    public TlsConfig cipherSuites(final String... suites) {
        this.cipherSuites = suites == null ? null : suites.clone();
        return this;
    }

    /** Whether the dialer checks that the acceptor's certificate names the dialed host (default true). */
    public TlsConfig hostnameVerification(final boolean isEnabled) {
        this.isHostnameVerification = isEnabled;
        return this;
    }

    /**
     * Loads both stores and builds the context.
     *
     * @throws IllegalArgumentException naming the key and the file that are wrong
     */
    public TlsConfig conclude() {
        if (keyStore == null) {
            throw new IllegalArgumentException("sslQuorum=true needs " + KEY_STORE_LOCATION);
        }
        if (trustStore == null) {
            throw new IllegalArgumentException("sslQuorum=true needs " + TRUST_STORE_LOCATION
                + " (peers are verified against it; the JDK's default CAs would admit anyone"
                + " with a public certificate)");
        }
        if (enabledProtocols == null) {
            enabledProtocols = "TLSv1.3".equals(protocol)
                ? new String[] {"TLSv1.3", "TLSv1.2"} : new String[] {protocol};
        }
        final KeyStore keys = load(KEY_STORE_LOCATION, KEY_STORE_PASSWORD, KEY_STORE_TYPE, keyStore,
            keyStorePassword, keyStoreType);
        final KeyStore trusted = load(TRUST_STORE_LOCATION, TRUST_STORE_PASSWORD, TRUST_STORE_TYPE, trustStore,
            trustStorePassword, trustStoreType);
        requireEntries(keys, trusted);
        try {
            final KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, keyStorePassword == null ? new char[0] : keyStorePassword);
            final TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            context = SSLContext.getInstance(protocol);
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        } catch (final UnrecoverableKeyException ex) {
            throw new IllegalArgumentException("the private key in " + KEY_STORE_LOCATION + " " + keyStore
                + " cannot be read with " + KEY_STORE_PASSWORD
                + " (the key password must equal the store password): " + ex.getMessage(), ex);
        } catch (final GeneralSecurityException ex) {
            throw new IllegalArgumentException("cannot build a TLS context (" + PROTOCOL + "=" + protocol + "): "
                + ex.getMessage(), ex);
        }
        checkSupported(ENABLED_PROTOCOLS, enabledProtocols, context.getSupportedSSLParameters().getProtocols());
        if (cipherSuites != null) {
            checkSupported(CIPHER_SUITES, cipherSuites, context.getSupportedSSLParameters().getCipherSuites());
        }
        return this;
    }

    private void requireEntries(final KeyStore keys, final KeyStore trusted) {
        try {
            if (!hasKeyEntry(keys)) {
                throw new IllegalArgumentException(KEY_STORE_LOCATION + " " + keyStore + " holds no private key entry");
            }
            if (trusted.size() == 0) {
                throw new IllegalArgumentException(TRUST_STORE_LOCATION + " " + trustStore + " holds no certificates");
            }
        } catch (final KeyStoreException ex) {
            throw new IllegalArgumentException(KEY_STORE_LOCATION + " " + keyStore + ": " + ex.getMessage(), ex);
        }
    }

    private static boolean hasKeyEntry(final KeyStore store) throws KeyStoreException {
        for (final Enumeration<String> aliases = store.aliases(); aliases.hasMoreElements(); ) {
            if (store.isKeyEntry(aliases.nextElement())) {
                return true;
            }
        }
        return false;
    }

    private static void checkSupported(final String key, final String[] wanted, final String[] supported) {
        for (final String name : wanted) {
            if (!Arrays.asList(supported).contains(name)) {
                throw new IllegalArgumentException(key + ": '" + name + "' is not supported by this JDK");
            }
        }
    }

    /** Loads one store; errors say which key and file, and whether the file or the password is at fault. */
    private static KeyStore load(final String locationKey, final String passwordKey, final String typeKey,
        final Path file, final char[] password, final String type) {
        final String storeType = storeType(locationKey, typeKey, file, type);
        final KeyStore store;
        try {
            store = KeyStore.getInstance(storeType);
        } catch (final KeyStoreException ex) {
            throw new IllegalArgumentException(typeKey + " '" + storeType + "' is not supported (JKS or PKCS12)", ex);
        }
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, password);
            return store;
        } catch (final NoSuchFileException ex) {
            throw new IllegalArgumentException(locationKey + " " + file + ": no such file", ex);
        } catch (final AccessDeniedException ex) {
            throw new IllegalArgumentException(locationKey + " " + file + ": permission denied", ex);
        } catch (final IOException ex) {
            if (ex.getCause() instanceof UnrecoverableKeyException) {
                throw new IllegalArgumentException(passwordKey + " is wrong for " + locationKey + " " + file, ex);
            }
            throw new IllegalArgumentException(locationKey + " " + file + " is not a readable " + storeType + " store: "
                + ex.getMessage(), ex);
        } catch (final GeneralSecurityException ex) {
            throw new IllegalArgumentException(locationKey + " " + file + " cannot be loaded: " + ex.getMessage(), ex);
        }
    }

    /** ZooKeeper's rule: an explicit type wins, else the file extension, else the JDK default (PKCS12). */
    private static String storeType(final String locationKey, final String typeKey, final Path file,
        final String type) {
        final String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        final String chosen;
        if (type != null && !type.isEmpty()) {
            chosen = type.toUpperCase(Locale.ROOT);
        } else if (name.endsWith(".jks")) {
            chosen = "JKS";
        } else if (name.endsWith(".pem")) {
            chosen = "PEM";
        } else {
            chosen = name.endsWith(".p12") || name.endsWith(".pfx")
                ? "PKCS12" : KeyStore.getDefaultType().toUpperCase(Locale.ROOT);
        }
        if (!"JKS".equals(chosen) && !"PKCS12".equals(chosen)) {
            throw new IllegalArgumentException(typeKey + " '" + chosen + "' for " + locationKey + " " + file
                + " is not supported: use JKS or PKCS12 (convert PEM with openssl pkcs12 -export)");
        }
        return chosen;
    }

    /**
     * A new handler for one connection (event loop only). The acceptor requires a client certificate;
     * the dialer names the peer's host for SNI and hostname verification.
     *
     * @param peerHost the dialed host, or null on the accepting side
     */
    public SslHandler newHandler(final String peerHost, final int peerPort) {
        final boolean isClient = peerHost != null;
        final SSLEngine engine = isClient ? context.createSSLEngine(peerHost, peerPort) : context.createSSLEngine();
        engine.setUseClientMode(isClient);
        final SSLParameters params = engine.getSSLParameters();
        params.setProtocols(enabledProtocols);
        if (cipherSuites != null) {
            params.setCipherSuites(cipherSuites);
        }
        if (isClient && isHostnameVerification) {
            params.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!isClient) {
            params.setNeedClientAuth(true);
        }
        engine.setSSLParameters(params);
        final SslHandler handler = new SslHandler(engine);
        // HandshakeHandler's deadline covers the TLS handshake, the header and the HMAC exchange together.
        handler.setHandshakeTimeoutMillis(0);
        return handler;
    }

    /** True once {@link #conclude()} has built the context. */
    public boolean isConcluded() {
        return context != null;
    }

    public boolean isHostnameVerification() {
        return isHostnameVerification;
    }

    /** The negotiable protocols, after {@link #conclude()}. */
    public String[] enabledProtocols() {
        return enabledProtocols == null ? null : enabledProtocols.clone();
    }

    /** Reads a password file as ZooKeeper's {@code passwordPath} keys do: UTF-8, surrounding whitespace trimmed. */
    public static char[] readPasswordFile(final String key, final Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim().toCharArray();
        } catch (final IOException ex) {
            throw new IllegalArgumentException(key + " " + file + ": cannot read: " + ex.getMessage(), ex);
        }
    }
}
