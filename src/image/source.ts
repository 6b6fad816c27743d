/**
 * Opens an image from a `docker save` archive, an OCI archive or an OCI layout directory, without
 * extracting it, and describes its config and layers.
 *
 * @module
 */

import { PassThrough, type Readable } from 'node:stream';

import { ImageError, LayerError, errorMessage } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { ImageConfig, LayerDescriptor, Platform } from '../types.js';
import { layerCreatedBy } from './config.js';
import { sha256Of } from './digest.js';
import { readDockerManifest, repoTagsForConfig, resolveDockerImage } from './docker-image.js';
import type { ImageFiles } from './files.js';
import { resolveOciImage } from './oci-image.js';
import { openImageFiles } from './open-files.js';
import { formatPlatform, hostPlatform, parsePlatform } from './platform.js';
import { describeTruncation, type ImageFormat, type ResolveOptions, type ResolvedImage } from './resolved.js';

export type { ImageFormat } from './resolved.js';

export interface ImageSource {
  /** The `--input` path as the user gave it. */
  readonly artifactName: string;
  readonly format: ImageFormat;
  /** `sha256:` of the config bytes, which Docker calls the image ID. */
  readonly imageID: string;
  /** Digest of the selected manifest; undefined for classic `docker save` archives, which store none. */
  readonly manifestDigest?: string;
  readonly config: ImageConfig;
  /** The layers in manifest order, each with its diffID and the `created_by` of its history entry. */
  readonly layers: readonly LayerDescriptor[];
  /** From `manifest.json` RepoTags, or else the image name annotations of `index.json`. */
  readonly repoTags: readonly string[];
  /** Always empty, because nothing in an archive or layout shows which digest a registry serves. */
  readonly repoDigests: readonly string[];
  readonly platform?: Platform;
  /**
   * Opens the raw bytes of a layer blob as stored (compressed or not), unverified. Stream errors
   * are LayerErrors naming the layer.
   */
  openLayer(layer: LayerDescriptor): Promise<Readable>;
  /**
   * Returns a text that changes whenever the layer blob's bytes may have changed (the stat of the
   * file that contains it and its place there), so a verified blob need not be hashed again.
   */
  layerIdentity(layer: LayerDescriptor): Promise<string>;
  /** Releases the archive; streams still open are destroyed. */
  close(): Promise<void>;
}

export interface OpenImageOptions {
  /** `os/arch[/variant]` to select from a multi-platform index; default: the host's, or the only image. */
  readonly platform?: string;
  readonly logger?: Logger;
}

/**
 * Opens the image at `input`, detected by content. Throws ImageError when it is not a readable
 * image, PlatformNotFoundError when the platform is not offered, and LayerError when a layer blob
 * is missing or truncated.
 */
export async function openImage(input: string, options: OpenImageOptions = {}): Promise<ImageSource> {
  const logger = options.logger ?? silentLogger;
  const requested = options.platform === undefined ? undefined : parsePlatform(options.platform);
  const { files, isDirectory } = await openImageFiles(input, logger);

  try {
    const resolveOptions: ResolveOptions = { host: hostPlatform(), logger, ...(requested ? { requested } : {}) };
    const { format, resolved } = await resolveImage(files, isDirectory, resolveOptions);
    const layers = describeLayers(files, resolved, logger);
    await checkLayerBlobs(files, layers, logger);

    const source = new OpenedImage(input, format, files, resolved, layers);
    logger.debug('opened image', {
      input,
      format,
      imageID: source.imageID,
      manifest: source.manifestDigest,
      platform: source.platform === undefined ? undefined : formatPlatform(source.platform),
      layers: layers.length,
    });
    return source;
  } catch (error) {
    await files.close();
    throw error;
  }
}

async function resolveImage(
  files: ImageFiles,
  isDirectory: boolean,
  options: ResolveOptions,
): Promise<{ format: ImageFormat; resolved: ResolvedImage }> {
  if (isDirectory) return { format: 'oci-layout', resolved: await resolveOciImage(files, options) };

  const hasIndex = await files.has('index.json');
  const hasManifest = await files.has('manifest.json');
  const hasLayout = await files.has('oci-layout');
  options.logger.debug('archive members found', { indexJson: hasIndex, manifestJson: hasManifest, ociLayout: hasLayout });

  // Docker 25+ writes both manifest.json and an OCI layout; the layout has digests and media types.
  if (hasIndex && (hasLayout || !hasManifest)) {
    const resolved = await resolveOciImage(files, options);
    if (!hasManifest) return { format: 'oci-archive', resolved };
    const tags = repoTagsForConfig(await readDockerManifest(files), sha256Of(resolved.configBytes));
    return { format: 'docker-archive', resolved: tags === undefined ? resolved : { ...resolved, repoTags: tags } };
  }
  if (hasManifest) {
    const entries = await readDockerManifest(files);
    return { format: 'docker-archive', resolved: await resolveDockerImage(files, entries, options) };
  }

  const reason = files.truncation === undefined ? '' : `; ${describeTruncation(files.truncation)}`;
  throw new ImageError(
    `${files.path}: archive has neither manifest.json (docker save) nor index.json (OCI archive), so it is not an image archive${reason}`,
    files.path,
  );
}

function describeLayers(files: ImageFiles, resolved: ResolvedImage, logger: Logger): LayerDescriptor[] {
  const diffIDs = resolved.config.rootfs.diff_ids;
  if (diffIDs.length !== resolved.layers.length) {
    throw new ImageError(
      `${files.path}: config ${resolved.configMember} lists ${diffIDs.length} rootfs.diff_ids but the manifest lists ${resolved.layers.length} layers; the image is corrupt, so save or pull it again`,
      files.path,
    );
  }

  const createdBy = layerCreatedBy(resolved.config, diffIDs.length, logger);
  return resolved.layers.map((layer, index) => ({
    index,
    diffID: diffIDs[index] as string,
    blobPath: layer.member,
    ...(layer.digest !== undefined ? { digest: layer.digest } : {}),
    ...(layer.size !== undefined ? { size: layer.size } : {}),
    ...(layer.mediaType !== undefined ? { mediaType: layer.mediaType } : {}),
    ...(createdBy[index] !== undefined ? { createdBy: createdBy[index] } : {}),
  }));
}

/** Checks that every layer blob is present, so a truncated archive fails before any layer is read. */
async function checkLayerBlobs(files: ImageFiles, layers: readonly LayerDescriptor[], logger: Logger): Promise<void> {
  for (const layer of layers) {
    const member = layer.blobPath as string;
    if ((await files.size(member)) !== undefined) continue;
    const reason = files.truncation === undefined ? 'the archive or layout is incomplete' : describeTruncation(files.truncation);
    throw new LayerError(`blob ${member} not found in ${files.path}: ${reason}; save or copy the image again`, layer);
  }
  if (files.truncation !== undefined) {
    logger.warn('archive is truncated after the members the image needs; reading it anyway', {
      archive: files.path,
      detail: describeTruncation(files.truncation),
    });
  }
}

class OpenedImage implements ImageSource {
  readonly artifactName: string;
  readonly format: ImageFormat;
  readonly imageID: string;
  readonly manifestDigest?: string;
  readonly config: ImageConfig;
  readonly layers: readonly LayerDescriptor[];
  readonly repoTags: readonly string[];
  readonly repoDigests: readonly string[] = [];
  readonly platform?: Platform;
  readonly #files: ImageFiles;
  #closed = false;

  constructor(input: string, format: ImageFormat, files: ImageFiles, resolved: ResolvedImage, layers: readonly LayerDescriptor[]) {
    this.artifactName = input;
    this.format = format;
    this.imageID = sha256Of(resolved.configBytes);
    if (resolved.manifestDigest !== undefined) this.manifestDigest = resolved.manifestDigest;
    this.config = resolved.config;
    this.layers = layers;
    this.repoTags = resolved.repoTags;
    if (resolved.platform !== undefined) this.platform = resolved.platform;
    this.#files = files;
  }

  async openLayer(layer: LayerDescriptor): Promise<Readable> {
    const own = this.#ownLayer(layer);
    const member = own.blobPath as string;
    const stream = await this.#files.open(member);
    if (stream === undefined) throw new LayerError(`blob ${member} not found in ${this.#files.path}`, own);

    // Errors from the archive readers are ImageErrors; callers of openLayer get LayerErrors.
    const output = new PassThrough();
    stream.on('error', (error: unknown) => {
      output.destroy(error instanceof LayerError ? error : new LayerError(`cannot read blob ${member}: ${errorMessage(error)}`, own, { cause: error }));
    });
    output.on('close', () => stream.destroy());
    stream.pipe(output);
    return output;
  }

  async layerIdentity(layer: LayerDescriptor): Promise<string> {
    const own = this.#ownLayer(layer);
    const member = own.blobPath as string;
    const identity = await this.#files.identity(member);
    if (identity === undefined) throw new LayerError(`blob ${member} not found in ${this.#files.path}`, own);
    return `${this.#files.path}:${member}:${identity}`;
  }

  #ownLayer(layer: LayerDescriptor): LayerDescriptor {
    const own = this.layers[layer.index];
    if (own === undefined || own.diffID !== layer.diffID || own.digest !== layer.digest) {
      throw new LayerError(`not a layer of image ${this.artifactName}`, layer);
    }
    if (this.#closed) throw new LayerError(`image ${this.artifactName} is already closed`, own);
    return own;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#files.close();
  }
}
