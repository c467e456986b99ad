/**
 * A synthetic model library of about 500 GB, by family, with the sizes such
 * files have on a real disk (names are made up):
 * - SD 1.5 checkpoints 2.1 GB (pruned fp16) or about 4 GB (full); SDXL
 *   checkpoints 6.5–6.9 GB and a 6.1 GB refiner; Flux dev/fill fp16 23.8 GB,
 *   dev/schnell and fine-tunes in fp8 11.9 GB;
 * - T5-XXL 9.8 GB (fp16) or 4.9 GB (fp8), clip_l 246 MB, VAEs 160–335 MB;
 * - LoRAs 20–900 MB (SD 1.5 ones small, SDXL ones larger), ControlNets
 *   1.5–2.5 GB, upscalers about 64 MB.
 * About a quarter of the checkpoints, diffusion models and LoRAs arrive
 * during the trace: they are downloaded when they come out.
 */
import { clamp, type TraceRandom } from './random.js';

export type Family = 'sd15' | 'sdxl' | 'flux';
export type Role = 'base' | 'refiner' | 't5' | 'clip_l' | 'vae' | 'lora' | 'controlnet' | 'upscaler';
export type Precision = 'fp16' | 'fp8';

export interface LibraryModel {
  readonly key: string;
  readonly bytes: number;
  /** undefined: usable with every family (upscalers). */
  readonly family: Family | undefined;
  readonly role: Role;
  /** Flux diffusion models and T5 encoders. */
  readonly precision?: Precision;
  /** Seconds from the start of the trace; 0 for what was there from the start. */
  readonly availableFrom: number;
}

const MB = 1e6;
const GB = 1e9;
const DAY = 86_400;
/** The share of checkpoints, diffusion models and LoRAs that come out during the trace. */
const LATE_SHARE = 0.25;

export function buildLibrary(random: TraceRandom, days: number): LibraryModel[] {
  const models: LibraryModel[] = [];
  const arrival = (canArriveLate: boolean) => (canArriveLate && random.chance(LATE_SHARE) ? Math.floor(random.uniform(2, days - 3)) * DAY : 0);
  const add = (model: Omit<LibraryModel, 'bytes' | 'availableFrom'> & { bytes: number; late?: boolean }) => {
    const { late, ...rest } = model;
    models.push({ ...rest, bytes: Math.round(model.bytes), availableFrom: arrival(late === true) });
  };
  const number = (index: number) => String(index + 1).padStart(2, '0');
  const loraBytes = (median: number, sigma: number) => clamp(random.logNormal(median, sigma), 20 * MB, 900 * MB);

  // SD 1.5
  for (let index = 0; index < 16; index += 1) {
    const full = random.chance(0.4);
    add({
      key: `checkpoints/sd15/sd15-${full ? 'full' : 'pruned'}-${number(index)}.safetensors`,
      bytes: full ? random.uniform(3.97, 4.27) * GB : random.uniform(2.0, 2.2) * GB,
      family: 'sd15',
      role: 'base',
      late: true,
    });
  }
  for (let index = 0; index < 50; index += 1)
    add({ key: `loras/sd15/sd15-lora-${number(index)}.safetensors`, bytes: loraBytes(40 * MB, 0.7), family: 'sd15', role: 'lora', late: true });
  add({ key: 'vae/sd15/vae-ft-mse.safetensors', bytes: 334.6 * MB, family: 'sd15', role: 'vae' });
  add({ key: 'vae/sd15/vae-ft-mse-fp16.safetensors', bytes: 167.3 * MB, family: 'sd15', role: 'vae' });
  for (let index = 0; index < 6; index += 1)
    add({
      key: `controlnet/sd15/sd15-control-${number(index)}.safetensors`,
      bytes: random.uniform(1.45, 1.55) * GB,
      family: 'sd15',
      role: 'controlnet',
    });

  // SDXL
  for (let index = 0; index < 34; index += 1)
    add({
      key: `checkpoints/sdxl/sdxl-${number(index)}.safetensors`,
      bytes: random.uniform(6.46, 6.94) * GB,
      family: 'sdxl',
      role: 'base',
      late: true,
    });
  add({ key: 'checkpoints/sdxl/sdxl-refiner-1.0.safetensors', bytes: 6.08 * GB, family: 'sdxl', role: 'refiner' });
  for (let index = 0; index < 90; index += 1)
    add({ key: `loras/sdxl/sdxl-lora-${number(index)}.safetensors`, bytes: loraBytes(170 * MB, 0.8), family: 'sdxl', role: 'lora', late: true });
  add({ key: 'vae/sdxl/sdxl-vae-fp16-fix.safetensors', bytes: 334.6 * MB, family: 'sdxl', role: 'vae' });
  for (let index = 0; index < 6; index += 1)
    add({
      key: `controlnet/sdxl/sdxl-control-${number(index)}.safetensors`,
      bytes: random.uniform(2.3, 2.5) * GB,
      family: 'sdxl',
      role: 'controlnet',
    });

  // Flux
  add({ key: 'diffusion_models/flux/flux1-dev.safetensors', bytes: 23.8 * GB, family: 'flux', role: 'base', precision: 'fp16' });
  add({ key: 'diffusion_models/flux/flux1-fill-dev.safetensors', bytes: 23.8 * GB, family: 'flux', role: 'base', precision: 'fp16' });
  add({ key: 'diffusion_models/flux/flux1-dev-fp8.safetensors', bytes: 11.9 * GB, family: 'flux', role: 'base', precision: 'fp8' });
  add({ key: 'diffusion_models/flux/flux1-schnell-fp8.safetensors', bytes: 11.9 * GB, family: 'flux', role: 'base', precision: 'fp8' });
  for (let index = 0; index < 5; index += 1) {
    const fp16 = index < 2;
    add({
      key: `diffusion_models/flux/flux-finetune-${number(index)}-${fp16 ? 'fp16' : 'fp8'}.safetensors`,
      bytes: (fp16 ? 23.8 : 11.9) * GB,
      family: 'flux',
      role: 'base',
      precision: fp16 ? 'fp16' : 'fp8',
      late: true,
    });
  }
  add({ key: 'text_encoders/t5xxl_fp16.safetensors', bytes: 9.79 * GB, family: 'flux', role: 't5', precision: 'fp16' });
  add({ key: 'text_encoders/t5xxl_fp8_e4m3fn.safetensors', bytes: 4.89 * GB, family: 'flux', role: 't5', precision: 'fp8' });
  add({ key: 'text_encoders/clip_l.safetensors', bytes: 246 * MB, family: 'flux', role: 'clip_l' });
  add({ key: 'vae/flux/ae.safetensors', bytes: 335 * MB, family: 'flux', role: 'vae' });
  for (let index = 0; index < 50; index += 1)
    add({ key: `loras/flux/flux-lora-${number(index)}.safetensors`, bytes: loraBytes(120 * MB, 0.9), family: 'flux', role: 'lora', late: true });
  for (let index = 0; index < 3; index += 1)
    add({
      key: `controlnet/flux/flux-control-${number(index)}.safetensors`,
      bytes: random.uniform(1.5, 2.5) * GB,
      family: 'flux',
      role: 'controlnet',
    });

  for (let index = 0; index < 6; index += 1)
    add({ key: `upscale_models/upscaler-${number(index)}.pth`, bytes: random.uniform(60, 67) * MB, family: undefined, role: 'upscaler' });
  return models;
}

export function libraryBytes(models: readonly LibraryModel[]): number {
  return models.reduce((sum, model) => sum + model.bytes, 0);
}
