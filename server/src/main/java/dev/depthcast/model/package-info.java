/**
 * What a depth model expects and gives, apart from the runtime that runs it: {@code Preset} (input
 * size, normalisation, channel order), {@code BuiltInPreset} (the ones {@code --preset} names) and
 * {@code ModelSignature} (checks a model's tensors against its preset). Immutable values; no threads.
 */
package dev.depthcast.model;
