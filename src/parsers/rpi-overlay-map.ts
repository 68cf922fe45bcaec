// overlay_map.dtb, beside the firmware's overlays: which overlay names were renamed or retired,
// and which overlay a platform loads in place of a name (on a Pi 4, `vc4-kms-v3d` is
// `vc4-kms-v3d-pi4`). Each node is an overlay name; a property named after a platform is empty
// when the overlay serves that platform as it is, or names the overlay that does.
import { getNode, parseFdt, propStrings, type FdtTree } from '../platform/fdt.js';
import type { PiBoard } from './rpi-boards.js';
import type { RpiSetting } from './rpi-config.js';
import type { ProblemSink, SourceFiles } from './types.js';

/** The real map is about 20 KiB. */
const MAX_MAP_BYTES = 1024 * 1024;
const PLATFORMS = ['bcm2835', 'bcm2711', 'bcm2712'];

export type OverlayMap = FdtTree | null;

export function readOverlayMap(view: { files: SourceFiles; isFile(name: string): boolean; path(name: string, from: RpiSetting | null): string | null }, dir: string): OverlayMap {
  const name = `${dir}overlay_map.dtb`;
  if (!view.isFile(name)) return null;
  const path = view.path(name, null);
  const bytes = path ? view.files.readBytes(path, 0, MAX_MAP_BYTES) : null;
  return bytes ? parseFdt(bytes) : null;
}

/** The platform key the map uses for a board: Pi 0-3 share bcm2835's. */
function platformOf(board: PiBoard | null): string | null {
  if (!board) return null;
  if (board.filters.some((f) => f === 'pi5' || f === 'cm5' || f === 'pi500')) return 'bcm2712';
  if (board.filters.some((f) => f === 'pi4' || f === 'pi400' || f === 'cm4' || f === 'cm4s')) return 'bcm2711';
  return 'bcm2835';
}

/**
 * The overlay the firmware loads for `requested` on `board`, or null (with the reason as a
 * problem) when the map retires it or the board's platform has no version of it.
 */
export function mappedOverlayName(map: OverlayMap, requested: string, board: PiBoard | null, problems: ProblemSink, from: RpiSetting | null): string | null {
  if (!map || requested.startsWith('/')) return requested;
  const say = (message: string) => problems.push({ file: from?.file ?? null, line: from?.line ?? null, message });
  let name = requested;
  // A renamed overlay may be renamed again; a loop in the map ends the chase.
  for (let hops = 0; hops < 8; hops++) {
    const node = getNode(map, `/${name}`);
    if (!node) return name;
    const prop = (key: string) => node.props.find((p) => p.name === key)?.value ?? null;
    // The board's platform, when the node lists it, decides; renamed and deprecated speak only
    // for the platforms it does not list.
    const platform = platformOf(board);
    const mine = platform ? prop(platform) : null;
    if (mine) {
      const instead = propStrings(mine)[0];
      if (!instead || instead === name) return name;
      name = instead;
      continue;
    }
    const renamed = prop('renamed');
    if (renamed) {
      name = propStrings(renamed)[0] ?? name;
      continue;
    }
    const deprecated = prop('deprecated');
    if (deprecated) {
      say(`dtoverlay=${requested} is not loaded: overlay_map.dtb says it is deprecated (${propStrings(deprecated)[0] ?? 'no reason given'})`);
      return null;
    }
    if (platform && node.props.some((p) => PLATFORMS.includes(p.name))) {
      say(`dtoverlay=${requested} is not loaded: overlay_map.dtb says it is not for this board (${platform})`);
      return null;
    }
    return name;
  }
  return name;
}
