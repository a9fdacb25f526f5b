// Lesson 6's preparation of a digit (handwriting.py), step by step in plain JavaScript, with
// the same names: a drawing becomes light ink on black, cropped, fitted into 20x20 and
// centred by its centre of mass in 28x28, the image the model was trained on. The resizing
// is Pillow's own (a weighted average over each new pixel's share of the old ones), so that
// the page gives the model the same image as the lesson's server does.
//
// An image here is {width, height, data}: grey values 0-1 in a Float32Array, row by row.
"use strict";

const FIELD_SIZE = 28; // MNIST's image side
const BOX_SIZE = 20; // MNIST fits each digit into a 20x20 box inside the 28x28 field
const WORKING_SIDE = 400; // larger pictures are shrunk to this side first
const BACKGROUND_SIDE = 16; // the tiny copy from which the paper's brightness is estimated
const MINIMUM_CONTRAST = 0.15; // ink that stands out less than this is none at all
const SPECK_FRACTION = 0.06; // blobs with less ink than this share of the largest: specks
const INK_MASS_TRIMMED = 0.002; // crop away this fraction of the ink at each edge
const STROKE_WIDTH_TARGET = 0.1; // MNIST's strokes are about a tenth as wide as the digit
const MEASURABLE_SIDE = 100; // digits smaller than this are enlarged before measuring
const STROKE_WIDTH_ENOUGH = 0.7; // strokes at least 70% of the target are left as they are
const THUMBNAIL_REDUCING_GAP = 2.0; // Pillow's thumbnail: whole-number shrinking first

function newImage(width, height) {
  return { width, height, data: new Float32Array(width * height) };
}

function clip(value) {
  return Math.min(Math.max(value, 0), 1);
}

// Python's round(): halves go to the even neighbour.
function roundHalfEven(value) {
  const floor = Math.floor(value);
  const rest = value - floor;
  if (rest !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

// %% Pillow's resampling: each new pixel a weighted average of the old ones it covers

const FILTERS = {
  box: { support: 0.5, weight: (x) => (x > -0.5 && x <= 0.5 ? 1 : 0) },
  bilinear: { support: 1, weight: (x) => Math.max(0, 1 - Math.abs(x)) },
  lanczos: { support: 3, weight: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

function sinc(x) {
  return x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
}

// For each new pixel along one side: the first old pixel it reads and their weights.
function resampleWeights(inSize, start, end, outSize, filter) {
  const scale = (end - start) / outSize;
  const filterScale = Math.max(scale, 1); // shrinking: the filter widens, as an average
  const support = filter.support * filterScale;
  const taps = [];
  for (let out = 0; out < outSize; out++) {
    const centre = start + (out + 0.5) * scale;
    const first = Math.max(Math.trunc(centre - support + 0.5), 0);
    const last = Math.min(Math.trunc(centre + support + 0.5), inSize);
    const weights = [];
    let total = 0;
    for (let x = first; x < last; x++) {
      const weight = filter.weight((x - centre + 0.5) / filterScale);
      weights.push(weight);
      total += weight;
    }
    taps.push({ first, weights: weights.map((w) => (total !== 0 ? w / total : w)) });
  }
  return taps;
}

// Image.resize(size, filter, box) of a grey float image: rows first, then columns.
function resize(image, width, height, filterName, box = [0, 0, image.width, image.height]) {
  const filter = FILTERS[filterName];
  const [left, top, right, bottom] = box.map(Math.fround); // Pillow keeps the box as float32
  const across = resampleWeights(image.width, left, right, width, filter);
  const down = resampleWeights(image.height, top, bottom, height, filter);
  const firstRow = down[0].first;
  const lastRow = down[height - 1].first + down[height - 1].weights.length;
  const wide = newImage(width, lastRow - firstRow);
  for (let y = firstRow; y < lastRow; y++) {
    for (let x = 0; x < width; x++) {
      const { first, weights } = across[x];
      let sum = 0;
      for (let k = 0; k < weights.length; k++) {
        sum += image.data[y * image.width + first + k] * weights[k];
      }
      wide.data[(y - firstRow) * width + x] = sum;
    }
  }
  const result = newImage(width, height);
  for (let y = 0; y < height; y++) {
    const { first, weights } = down[y];
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = 0; k < weights.length; k++) {
        sum += wide.data[(first - firstRow + k) * width + x] * weights[k];
      }
      result.data[y * width + x] = sum;
    }
  }
  return result;
}

// Image.reduce(factor): the mean of each factor x factor block (the last ones may be smaller).
function reduce(image, factorX, factorY) {
  const width = Math.ceil(image.width / factorX);
  const height = Math.ceil(image.height / factorY);
  const result = newImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      let count = 0;
      const [lastRow, lastColumn] = [(y + 1) * factorY, (x + 1) * factorX];
      for (let row = y * factorY; row < Math.min(lastRow, image.height); row++) {
        for (let column = x * factorX; column < Math.min(lastColumn, image.width); column++) {
          sum += image.data[row * image.width + column];
          count += 1;
        }
      }
      result.data[y * width + x] = sum / count;
    }
  }
  return result;
}

// Image.thumbnail((side, side), LANCZOS): the aspect ratio kept, shrunk in two steps.
function thumbnail(image, side) {
  const aspect = image.width / image.height;
  let [width, height] = [side, side];
  // The whole number of pixels, below or above, that keeps the aspect ratio best.
  const nearest = (number, error) => {
    const [below, above] = [Math.floor(number), Math.ceil(number)];
    return Math.max(error(below) <= error(above) ? below : above, 1);
  };
  if (width / height >= aspect) {
    width = nearest(height * aspect, (n) => Math.abs(aspect - n / height));
  } else {
    height = nearest(width / aspect, (n) => (n === 0 ? 0 : Math.abs(aspect - width / n)));
  }
  const factorX = Math.trunc(image.width / width / THUMBNAIL_REDUCING_GAP) || 1;
  const factorY = Math.trunc(image.height / height / THUMBNAIL_REDUCING_GAP) || 1;
  if (factorX === 1 && factorY === 1) return resize(image, width, height, "lanczos");
  const reduced = reduce(image, factorX, factorY);
  const box = [0, 0, image.width / factorX, image.height / factorY];
  return resize(reduced, width, height, "lanczos", box);
}

// %% Lesson 6's steps

// A canvas's or a picture's RGBA pixels (0-255) as grey values 0-1, as Pillow converts them.
// Transparent pixels become paper: white behind dark ink, black behind light ink.
function loadGrayscale(rgba, width, height) {
  let image = newImage(width, height);
  const alpha = new Float32Array(width * height);
  let opaque = true;
  for (let i = 0; i < width * height; i++) {
    const [red, green, blue] = [rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]];
    image.data[i] = ((red * 19595 + green * 38470 + blue * 7471 + 0x8000) >> 16) / 255;
    alpha[i] = rgba[4 * i + 3] / 255;
    opaque = opaque && rgba[4 * i + 3] === 255;
  }
  if (!opaque) {
    let [weighted, weights] = [0, 0];
    for (let i = 0; i < image.data.length; i++) {
      weighted += alpha[i] * image.data[i];
      weights += alpha[i];
    }
    const paper = weights && weighted / weights >= 0.5 ? 0 : 1;
    for (let i = 0; i < image.data.length; i++) {
      image.data[i] = alpha[i] * image.data[i] + (1 - alpha[i]) * paper;
    }
  }
  if (Math.max(width, height) > WORKING_SIDE) image = thumbnail(image, WORKING_SIDE);
  return image;
}

// MNIST has light ink on a dark background: if the typical (median) pixel is light, invert.
function makeInkLight(gray) {
  if (percentile(gray.data, 50) <= 0.5) return gray;
  return { ...gray, data: gray.data.map((value) => 1 - value) };
}

// NumPy's percentile: linear between the two nearest of the sorted values.
function percentile(values, percent) {
  const sorted = Float64Array.from(values).sort();
  const position = (percent / 100) * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

// The darkest value within `size` pixels of each pixel (edges repeated): scipy's minimum_filter.
function minimumFilter(image, size) {
  const half = Math.floor(size / 2);
  const result = newImage(image.width, image.height);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      let darkest = Infinity;
      for (let dy = -half; dy <= half; dy++) {
        const row = Math.min(Math.max(y + dy, 0), image.height - 1);
        for (let dx = -half; dx <= half; dx++) {
          const column = Math.min(Math.max(x + dx, 0), image.width - 1);
          darkest = Math.min(darkest, image.data[row * image.width + column]);
        }
      }
      result.data[y * image.width + x] = darkest;
    }
  }
  return result;
}

// Subtract the paper's own brightness, estimated on a tiny copy: the darkest value around
// each pixel, the neighbourhood grown while growing it still finds much darker paper.
function removeBackground(ink) {
  const tiny = resize(ink, BACKGROUND_SIDE, BACKGROUND_SIDE, "box");
  let paper = minimumFilter(tiny, 3);
  let previous = paper;
  for (let size = 5; size <= 2 * BACKGROUND_SIDE; size += 2) {
    const wider = minimumFilter(tiny, size);
    // A drop as large as ink's least contrast means the last step left a stroke behind.
    const pastAStroke = (i) => previous.data[i] - wider.data[i] > MINIMUM_CONTRAST;
    const data = paper.data.map((value, i) => (pastAStroke(i) ? wider.data[i] : value));
    paper = { ...paper, data };
    previous = wider;
  }
  const paperFull = resize(paper, ink.width, ink.height, "bilinear");
  return { ...ink, data: ink.data.map((value, i) => clip(value - paperFull.data[i])) };
}

// Keep only what is clearly ink (above Otsu's threshold), stretched to full brightness.
function suppressNoise(ink) {
  if (ink.data.every((value) => value < MINIMUM_CONTRAST)) return newImage(ink.width, ink.height);
  const threshold = otsuThreshold(ink.data);
  const bright = percentile(ink.data.filter((value) => value > threshold), 90);
  const range = Math.max(bright - threshold, 1e-6);
  return { ...ink, data: ink.data.map((value) => clip((value - threshold) / range)) };
}

// The grey value that best separates two groups of pixels (Otsu, 1979).
function otsuThreshold(values, bins = 256) {
  const counts = new Array(bins).fill(0);
  for (const value of values) counts[Math.min(Math.floor(value * bins), bins - 1)] += 1;
  const centres = counts.map((_, bin) => (bin + 0.5) / bins);
  const total = values.length;
  let totalMass = 0;
  counts.forEach((count, bin) => (totalMass += count * centres[bin]));
  let [weightBelow, massBelow, best, bestVariance] = [0, 0, 0, -Infinity];
  for (let bin = 0; bin < bins; bin++) {
    weightBelow += counts[bin];
    massBelow += counts[bin] * centres[bin];
    const weightAbove = total - weightBelow;
    const meanBelow = massBelow / Math.max(weightBelow, 1);
    const meanAbove = (totalMass - massBelow) / Math.max(weightAbove, 1);
    const variance = weightBelow * weightAbove * (meanBelow - meanAbove) ** 2;
    if (variance > bestVariance) [best, bestVariance] = [bin, variance];
  }
  return centres[best];
}

// Drop dust and paper edges: blobs of touching ink pixels (diagonals count) with only a
// small share of the ink of the largest blob.
function removeSpecks(ink) {
  const { width, height, data } = ink;
  const blobOf = new Int32Array(width * height).fill(-1);
  const masses = [];
  for (let start = 0; start < data.length; start++) {
    if (data[start] <= 0 || blobOf[start] >= 0) continue;
    const blob = masses.length;
    let mass = 0;
    const stack = [start];
    blobOf[start] = blob;
    while (stack.length) {
      const pixel = stack.pop();
      mass += data[pixel];
      const [x, y] = [pixel % width, Math.floor(pixel / width)];
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const [nx, ny] = [x + dx, y + dy];
          const next = ny * width + nx;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          if (data[next] <= 0 || blobOf[next] >= 0) continue; // no ink, or found already
          blobOf[next] = blob;
          stack.push(next);
        }
      }
    }
    masses.push(mass);
  }
  if (masses.length <= 1) return ink;
  const largest = masses.reduce((most, mass) => Math.max(most, mass), 0);
  const kept = (i) => blobOf[i] >= 0 && masses[blobOf[i]] >= SPECK_FRACTION * largest;
  return { ...ink, data: data.map((value, i) => (kept(i) ? value : 0)) };
}

// Cut the image down to the rows and columns that hold the digit's ink.
function cropToInk(ink) {
  const rowSums = new Float64Array(ink.height);
  const columnSums = new Float64Array(ink.width);
  ink.data.forEach((value, i) => {
    rowSums[Math.floor(i / ink.width)] += value;
    columnSums[i % ink.width] += value;
  });
  const [top, bottom] = inkSpan(rowSums);
  const [left, right] = inkSpan(columnSums);
  return crop(ink, left, top, right + 1, bottom + 1);
}

function crop(image, left, top, right, bottom) {
  const result = newImage(right - left, bottom - top);
  for (let y = top; y < bottom; y++) {
    const row = image.data.subarray(y * image.width + left, y * image.width + right);
    result.data.set(row, (y - top) * result.width);
  }
  return result;
}

// First and last index between which all but a tiny fraction of the ink lies. (Summed in
// single precision, Math.fround, as NumPy sums the lesson's float32 images.)
function inkSpan(profile) {
  const total = Math.fround(profile.reduce((sum, value) => sum + value, 0));
  let [cumulative, first, last] = [0, -1, -1];
  for (let i = 0; i < profile.length; i++) {
    cumulative = Math.fround(cumulative + Math.fround(profile[i]));
    const share = Math.fround(cumulative / total);
    if (first < 0 && share >= Math.fround(INK_MASS_TRIMMED)) first = i;
    if (last < 0 && share >= Math.fround(1 - INK_MASS_TRIMMED)) last = i;
  }
  return [Math.max(first, 0), last < 0 ? profile.length - 1 : last];
}

// Widen thin pen lines to MNIST's stroke width (about twice the area over the outline).
function thickenStrokes(ink) {
  if (Math.max(ink.width, ink.height) < MEASURABLE_SIDE) {
    const factor = Math.ceil(MEASURABLE_SIDE / Math.max(ink.width, ink.height));
    const larger = newImage(ink.width * factor, ink.height * factor);
    for (let y = 0; y < larger.height; y++) {
      for (let x = 0; x < larger.width; x++) {
        const [row, column] = [Math.floor(y / factor), Math.floor(x / factor)];
        larger.data[y * larger.width + x] = ink.data[row * ink.width + column];
      }
    }
    ink = larger;
  }
  const { width, height, data } = ink;
  const isInk = (x, y) => x >= 0 && y >= 0 && x < width && y < height && data[y * width + x] > 0.5;
  let [area, outline] = [0, 0];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!isInk(x, y)) continue;
      area += 1;
      if (!(isInk(x, y - 1) && isInk(x, y + 1) && isInk(x - 1, y) && isInk(x + 1, y))) outline += 1;
    }
  }
  const strokeWidth = (2 * area) / Math.max(outline, 1);
  const targetWidth = STROKE_WIDTH_TARGET * Math.max(width, height);
  if (strokeWidth >= STROKE_WIDTH_ENOUGH * targetWidth) return ink;
  const grow = roundHalfEven(targetWidth - strokeWidth);
  const size = grow % 2 === 0 ? grow + 1 : grow + 2; // an odd filter that adds about `grow`
  const half = Math.floor(size / 2);
  const padded = newImage(width + 2 * half, height + 2 * half); // room for wider strokes
  for (let y = 0; y < height; y++) {
    padded.data.set(data.subarray(y * width, (y + 1) * width), (y + half) * padded.width + half);
  }
  return maximumFilter(padded, size);
}

// The brightest value within `size` pixels of each pixel: Pillow's MaxFilter, rows then columns.
function maximumFilter(image, size) {
  const half = Math.floor(size / 2);
  const { width, height } = image;
  const across = newImage(width, height);
  const result = newImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let brightest = -Infinity;
      for (let dx = -half; dx <= half; dx++) {
        const column = Math.min(Math.max(x + dx, 0), width - 1);
        brightest = Math.max(brightest, image.data[y * width + column]);
      }
      across.data[y * width + x] = brightest;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let brightest = -Infinity;
      for (let dy = -half; dy <= half; dy++) {
        const row = Math.min(Math.max(y + dy, 0), height - 1);
        brightest = Math.max(brightest, across.data[row * width + x]);
      }
      result.data[y * width + x] = brightest;
    }
  }
  return result;
}

// Scale the digit so that its longer side is 20 pixels, keeping its aspect ratio.
function fitInBox(ink, boxSize = BOX_SIZE) {
  const scale = boxSize / Math.max(ink.width, ink.height);
  const width = Math.max(1, roundHalfEven(ink.width * scale));
  const height = Math.max(1, roundHalfEven(ink.height * scale));
  const small = resize(ink, width, height, "lanczos");
  return { ...small, data: small.data.map(clip) };
}

// Place the digit in a 28x28 field so that its centre of mass is the field's centre.
function centerByMass(digit, fieldSize = FIELD_SIZE) {
  let [total, rowMass, columnMass] = [0, 0, 0];
  digit.data.forEach((value, i) => {
    total += value;
    rowMass += Math.floor(i / digit.width) * value;
    columnMass += (i % digit.width) * value;
  });
  let top = roundHalfEven(fieldSize / 2 - rowMass / total);
  let left = roundHalfEven(fieldSize / 2 - columnMass / total);
  top = Math.min(Math.max(top, 0), fieldSize - digit.height);
  left = Math.min(Math.max(left, 0), fieldSize - digit.width);
  const field = newImage(fieldSize, fieldSize);
  for (let y = 0; y < digit.height; y++) {
    const row = digit.data.subarray(y * digit.width, (y + 1) * digit.width);
    field.data.set(row, (top + y) * fieldSize + left);
  }
  return field;
}

// Lesson 6's step 2: light ink on black, the paper and its noise removed; null if no ink.
function cleanInk(gray) {
  const ink = suppressNoise(removeBackground(makeInkLight(gray)));
  return ink.data.some((value) => value > 0) ? ink : null;
}

// Lesson 6's steps 3-5: drop specks, crop, thicken thin strokes, 20x20, centred in 28x28.
function prepareDigit(ink) {
  return centerByMass(fitInBox(thickenStrokes(cropToInk(removeSpecks(ink)))));
}
