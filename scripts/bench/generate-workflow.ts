/**
 * A large, realistic ComfyUI workflow in the UI format, as the frontend saves
 * it: many text-to-image pipelines (checkpoint, LoRA stacks, long prompts
 * naming embeddings, samplers, upscalers, ControlNets), notes, groups, some
 * muted or bypassed nodes, a few names missing from the library, and
 * subgraphs (one nested in another) holding UNET, CLIP and VAE loaders.
 * Deterministic for a given seed.
 */
import type { LibraryModel } from './library-layout.js';
import { Prng } from './prng.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Port {
  name: string;
  type: string;
}

const PROMPT_WORDS = (
  'masterpiece best quality ultra detailed intricate cinematic lighting volumetric fog golden hour portrait of a woman ' +
  'standing in a neon lit street rain reflections bokeh depth of field 35mm film grain highly detailed skin texture ' +
  'sharp focus dramatic shadows rim light wide angle landscape mountains lake sunrise mist pine forest oil painting ' +
  'impressionist brush strokes vibrant colors concept art trending artstation octane render unreal engine 8k hdr'
).split(' ');
const NEGATIVE_WORDS =
  'lowres bad anatomy bad hands text error missing fingers extra digit cropped worst quality jpeg artifacts signature watermark blurry deformed'.split(
    ' ',
  );
const SAMPLERS = ['euler', 'euler_ancestral', 'dpmpp_2m', 'dpmpp_2m_sde', 'dpmpp_3m_sde', 'uni_pc'];
const SCHEDULERS = ['normal', 'karras', 'exponential', 'sgm_uniform', 'simple'];

/** Builds a workflow of at least targetBytes of compact JSON (as ComfyUI writes it), naming models of the given library. */
export function generateWorkflow(targetBytes: number, library: readonly LibraryModel[], seed = 7): string {
  const random = new Prng(seed);
  const byCategory = new Map<string, LibraryModel[]>();
  for (const model of library) byCategory.set(model.category, [...(byCategory.get(model.category) ?? []), model]);
  /** A name from the library, Windows-style separators now and then, and one in twenty missing. */
  const modelName = (category: string): string => {
    const models = byCategory.get(category) ?? [];
    if (models.length === 0 || random.chance(0.05)) return `missing/${category}_${random.int(1, 1e6)}.safetensors`;
    const name = random.pick(models).name;
    return random.chance(0.3) ? name.replace(/\//g, '\\') : name;
  };
  const embedding = (): string => {
    const models = byCategory.get('embeddings') ?? [];
    const name = models.length > 0 ? random.pick(models).name : 'EasyNegative.safetensors';
    // Prompts name an embedding by its file name alone; ComfyUI finds it in any subfolder.
    const file = name.slice(name.lastIndexOf('/') + 1);
    return random.chance(0.5) ? file : file.slice(0, file.lastIndexOf('.'));
  };
  const text = (words: readonly string[], length: number, embeddings: number): string => {
    const parts: string[] = [];
    let size = 0;
    while (size < length) {
      const part = random.chance(0.15)
        ? `(${random.pick(words)} ${random.pick(words)}:${(0.8 + random.next() * 0.6).toFixed(2)})`
        : random.pick(words);
      parts.push(part);
      size += part.length + 2;
    }
    for (let added = 0; added < embeddings; added += 1) parts.splice(random.int(0, parts.length), 0, `embedding:${embedding()}`);
    return parts.join(', ');
  };

  let nextNodeId = 1;
  let nextLinkId = 1;
  let bytes = 0;
  const nodes: Json[] = [];
  const links: Json[] = [];
  const groups: Json[] = [];
  const nodeIndex = new Map<number, { inputs: Array<Port & { link: number | null }>; outputs: Array<Port & { links: number[] }> }>();

  const addNode = (type: string, inputs: Port[], outputs: Port[], widgets: Json[], origin: [number, number], mode = 0): number => {
    const id = nextNodeId++;
    const entry = {
      inputs: inputs.map((port) => ({ ...port, link: null as number | null })),
      outputs: outputs.map((port) => ({ ...port, links: [] as number[] })),
    };
    nodeIndex.set(id, entry);
    const node = {
      id,
      type,
      pos: [origin[0] + random.int(0, 40), origin[1] + random.int(0, 40)],
      size: [315, 46 + 24 * (widgets.length + inputs.length)],
      flags: {},
      order: id,
      mode,
      inputs: entry.inputs,
      outputs: entry.outputs.map((port, slot) => ({ ...port, slot_index: slot })),
      properties: { 'Node name for S&R': type, cnr_id: 'comfy-core', ver: '0.3.44' },
      widgets_values: widgets,
    };
    nodes.push(node);
    bytes += JSON.stringify(node).length + 300; // ports and links are filled in later
    return id;
  };
  const connect = (from: number, fromSlot: number, to: number, toSlot: number): void => {
    const id = nextLinkId++;
    const source = nodeIndex.get(from)!;
    const target = nodeIndex.get(to)!;
    const type = source.outputs[fromSlot]!.type;
    source.outputs[fromSlot]!.links.push(id);
    target.inputs[toSlot]!.link = id;
    links.push([id, from, fromSlot, to, toSlot, type]);
    bytes += 40;
  };
  const model = (name = 'MODEL') => ({ name, type: 'MODEL' });
  const clip = (name = 'CLIP') => ({ name, type: 'CLIP' });
  const vae = (name = 'VAE') => ({ name, type: 'VAE' });
  const conditioning = (name: string) => ({ name, type: 'CONDITIONING' });
  const latent = (name = 'LATENT') => ({ name, type: 'LATENT' });
  const image = (name = 'IMAGE') => ({ name, type: 'IMAGE' });

  const subgraphs = buildSubgraphs(random, modelName);
  bytes += JSON.stringify(subgraphs.definitions).length;

  const workflowOf = () => ({
    id: '9d3c2f6e-5b1a-4c7d-8e2f-0a1b2c3d4e5f',
    revision: 0,
    last_node_id: nextNodeId - 1,
    last_link_id: nextLinkId - 1,
    nodes,
    links,
    groups,
    definitions: { subgraphs: subgraphs.definitions },
    config: {},
    extra: { ds: { scale: 0.45, offset: [120, -80] }, frontendVersion: '1.23.4' },
    version: 0.4,
  });

  let json = '';
  for (let pipeline = 0; json.length < targetBytes; pipeline += 1) {
    if (bytes >= targetBytes) {
      // The running estimate says enough: measure the real text, and go on if it falls short.
      json = JSON.stringify(workflowOf());
      bytes = json.length;
      if (bytes >= targetBytes) break;
    }
    const x = (pipeline % 8) * 2400;
    const y = Math.floor(pipeline / 8) * 1400;
    const mode = random.chance(0.1) ? random.pick([2, 4]) : 0;
    groups.push({
      id: pipeline + 1,
      title: `Pipeline ${pipeline + 1}`,
      bounding: [x - 20, y - 60, 2300, 1300],
      color: '#3f789e',
      font_size: 24,
      flags: {},
    });

    let modelSource: number;
    let modelSlot = 0;
    let clipSource: number;
    let clipSlot = 1;
    let vaeSource: number;
    let vaeSlot = 2;
    if (pipeline % 6 === 5 && subgraphs.ids.length > 0) {
      // A subgraph instance provides MODEL, CLIP and VAE from loaders inside it.
      modelSource = addNode(random.pick(subgraphs.ids), [], [model(), clip(), vae()], [], [x, y], mode);
    } else {
      modelSource = addNode('CheckpointLoaderSimple', [], [model(), clip(), vae()], [modelName('checkpoints')], [x, y], mode);
    }
    clipSource = modelSource;
    vaeSource = modelSource;
    for (let lora = random.int(0, 4); lora > 0; lora -= 1) {
      const loader = addNode(
        'LoraLoader',
        [model('model'), clip('clip')],
        [model(), clip()],
        [modelName('loras'), Number((0.4 + random.next()).toFixed(2)), Number((0.4 + random.next()).toFixed(2))],
        [x + 350, y + lora * 140],
        random.chance(0.1) ? 4 : mode,
      );
      connect(modelSource, modelSlot, loader, 0);
      connect(clipSource, clipSlot, loader, 1);
      modelSource = loader;
      modelSlot = 0;
      clipSource = loader;
      clipSlot = 1;
    }
    if (random.chance(0.3)) {
      vaeSource = addNode('VAELoader', [], [vae()], [modelName('vae')], [x, y + 300], mode);
      vaeSlot = 0;
    }
    const positiveEmbeddings = random.int(0, 2);
    const positive = addNode(
      'CLIPTextEncode',
      [clip('clip')],
      [conditioning('CONDITIONING')],
      [text(PROMPT_WORDS, random.int(600, 4000), positiveEmbeddings)],
      [x + 700, y],
      mode,
    );
    const negative = addNode(
      'CLIPTextEncode',
      [clip('clip')],
      [conditioning('CONDITIONING')],
      [text(NEGATIVE_WORDS, random.int(150, 1200), 1)],
      [x + 700, y + 400],
      mode,
    );
    connect(clipSource, clipSlot, positive, 0);
    connect(clipSource, clipSlot, negative, 0);
    let positiveSource = positive;
    if (random.chance(0.25)) {
      const controlnet = addNode(
        'ControlNetLoader',
        [],
        [{ name: 'CONTROL_NET', type: 'CONTROL_NET' }],
        [modelName('controlnet')],
        [x + 700, y + 700],
        mode,
      );
      const apply = addNode(
        'ControlNetApplyAdvanced',
        [conditioning('positive'), conditioning('negative'), { name: 'control_net', type: 'CONTROL_NET' }, image('image')],
        [conditioning('positive'), conditioning('negative')],
        [0.8, 0, 1],
        [x + 1050, y + 700],
        mode,
      );
      connect(positive, 0, apply, 0);
      connect(negative, 0, apply, 1);
      connect(controlnet, 0, apply, 2);
      positiveSource = apply;
    }
    const emptyLatent = addNode(
      'EmptyLatentImage',
      [],
      [latent()],
      [random.pick([512, 768, 1024]), random.pick([512, 768, 1024, 1216]), 1],
      [x + 700, y + 900],
      mode,
    );
    const sampler = addNode(
      'KSampler',
      [model('model'), conditioning('positive'), conditioning('negative'), latent('latent_image')],
      [latent()],
      [
        random.int(0, 2 ** 32),
        'randomize',
        random.int(20, 40),
        Number((4 + random.next() * 4).toFixed(1)),
        random.pick(SAMPLERS),
        random.pick(SCHEDULERS),
        1,
      ],
      [x + 1400, y],
      mode,
    );
    connect(modelSource, modelSlot, sampler, 0);
    connect(positiveSource, 0, sampler, 1);
    connect(negative, 0, sampler, 2);
    connect(emptyLatent, 0, sampler, 3);
    const decode = addNode('VAEDecode', [latent('samples'), vae('vae')], [image()], [], [x + 1750, y], mode);
    connect(sampler, 0, decode, 0);
    connect(vaeSource, vaeSlot, decode, 1);
    let output = decode;
    if (random.chance(0.3)) {
      const upscaler = addNode(
        'UpscaleModelLoader',
        [],
        [{ name: 'UPSCALE_MODEL', type: 'UPSCALE_MODEL' }],
        [modelName('upscale_models')],
        [x + 1750, y + 300],
        mode,
      );
      const upscale = addNode(
        'ImageUpscaleWithModel',
        [{ name: 'upscale_model', type: 'UPSCALE_MODEL' }, image('image')],
        [image()],
        [],
        [x + 2000, y + 300],
        mode,
      );
      connect(upscaler, 0, upscale, 0);
      connect(decode, 0, upscale, 1);
      output = upscale;
    }
    const save = addNode('SaveImage', [image('images')], [], [`pipeline_${pipeline + 1}/img`], [x + 2100, y], mode);
    connect(output, 0, save, 0);
    if (random.chance(0.4)) addNode('Note', [], [], [text(PROMPT_WORDS, random.int(300, 3000), 0)], [x, y + 1000]);
  }

  return json;
}

/**
 * Subgraph definitions in the shape the frontend saves: a Flux-style loader
 * stack (UNET, two text encoders, VAE) exposing MODEL, CLIP and VAE, one of
 * them nesting another subgraph that holds an extra LoRA.
 */
function buildSubgraphs(random: Prng, modelName: (category: string) => string): { definitions: Json[]; ids: string[] } {
  const definitions: Json[] = [];
  const ids: string[] = [];
  const inner = 'f0000000-0000-4000-8000-000000000100';
  definitions.push({
    id: inner,
    version: 1,
    name: 'Style LoRA',
    inputNode: { id: -10, bounding: [0, 0, 120, 60] },
    outputNode: { id: -20, bounding: [900, 0, 120, 60] },
    inputs: [],
    outputs: [],
    widgets: [],
    nodes: [
      {
        id: 1,
        type: 'LoraLoaderModelOnly',
        mode: 0,
        inputs: [{ name: 'model', type: 'MODEL', link: null }],
        outputs: [{ name: 'MODEL', type: 'MODEL', links: [] }],
        widgets_values: [modelName('loras'), 0.7],
      },
    ],
    links: [],
    groups: [],
    extra: {},
  });
  for (let index = 0; index < 6; index += 1) {
    const id = `f0000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`;
    ids.push(id);
    const nodes: Json[] = [
      {
        id: 1,
        type: 'UNETLoader',
        mode: 0,
        outputs: [{ name: 'MODEL', type: 'MODEL', links: [1] }],
        widgets_values: [modelName('diffusion_models'), 'default'],
      },
      {
        id: 2,
        type: 'DualCLIPLoader',
        mode: 0,
        outputs: [{ name: 'CLIP', type: 'CLIP', links: [2] }],
        widgets_values: [modelName('text_encoders'), modelName('text_encoders'), 'flux', 'default'],
      },
      { id: 3, type: 'VAELoader', mode: 0, outputs: [{ name: 'VAE', type: 'VAE', links: [3] }], widgets_values: [modelName('vae')] },
    ];
    if (index % 2 === 0) nodes.push({ id: 4, type: inner, mode: 0, inputs: [], outputs: [], widgets_values: [] });
    definitions.push({
      id,
      version: 1,
      name: `Loader stack ${index + 1}`,
      inputNode: { id: -10, bounding: [0, 0, 120, 60] },
      outputNode: { id: -20, bounding: [900, 0, 120, 60] },
      inputs: [],
      outputs: [
        { id: `out-model-${index}`, name: 'MODEL', type: 'MODEL', linkIds: [1] },
        { id: `out-clip-${index}`, name: 'CLIP', type: 'CLIP', linkIds: [2] },
        { id: `out-vae-${index}`, name: 'VAE', type: 'VAE', linkIds: [3] },
      ],
      widgets: [],
      nodes,
      links: [
        { id: 1, origin_id: 1, origin_slot: 0, target_id: -20, target_slot: 0, type: 'MODEL' },
        { id: 2, origin_id: 2, origin_slot: 0, target_id: -20, target_slot: 1, type: 'CLIP' },
        { id: 3, origin_id: 3, origin_slot: 0, target_id: -20, target_slot: 2, type: 'VAE' },
      ],
      groups: [],
      extra: { seed: random.int(0, 1000) },
    });
  }
  return { definitions, ids };
}
