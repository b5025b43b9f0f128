package dev.depthcast.backend;

import dev.depthcast.ingest.I420Frame;
import dev.depthcast.process.UnprojectParams;

/** One client's frame in a batch, with that client's unprojection settings. */
public record BatchItem(I420Frame frame, UnprojectParams params) {}
