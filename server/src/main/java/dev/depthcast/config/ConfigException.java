package dev.depthcast.config;

/**
 * A value given to the server is wrong or does not fit the others: the message is one line that
 * names the flag and what to pass instead, and the command exits with status 2. An
 * {@link IllegalArgumentException}, so code that builds a config by hand can treat it as one.
 */
public class ConfigException extends IllegalArgumentException {

    public ConfigException(String line) {
        super(line);
    }
}
