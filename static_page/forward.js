// The model's forward pass in plain JavaScript: what model.predict does for one image,
// one function per kind of layer that the lessons use. No library: every multiplication
// the network makes is written out below.
//
// A tensor is {shape, data}: shape [height, width, channels] for an image or a layer's
// feature maps, [units] for a vector; data holds the numbers row by row, the channels of a
// pixel side by side, as Keras keeps them (channels last). model.js holds the layers
// that 07_draw_digit.py --static exported, with their trained weights.
"use strict";

// The rows (or columns) a window of `size` fits in, and the zeros added before the first:
// "valid" only where the window fits whole, "same" as many as the input (with a stride of
// 1), padded with zeros around the edge.
function outputSize(inputSize, size, stride, padding) {
  if (padding === "valid") return [Math.floor((inputSize - size) / stride) + 1, 0];
  const outputs = Math.ceil(inputSize / stride);
  return [outputs, Math.floor(Math.max((outputs - 1) * stride + size - inputSize, 0) / 2)];
}

// Conv2D: each filter slides over the image; at each place it gives the sum of its weights
// times the pixels under it, over all input channels, plus its bias.
function conv2d(input, layer) {
  const [height, width, channels] = input.shape;
  const [kernelHeight, kernelWidth, , filters] = layer.kernel.shape;
  const [strideY, strideX] = layer.strides;
  const [outHeight, padTop] = outputSize(height, kernelHeight, strideY, layer.padding);
  const [outWidth, padLeft] = outputSize(width, kernelWidth, strideX, layer.padding);
  const output = new Float64Array(outHeight * outWidth * filters);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      for (let filter = 0; filter < filters; filter++) {
        let sum = layer.bias ? layer.bias.data[filter] : 0;
        for (let ky = 0; ky < kernelHeight; ky++) {
          const row = y * strideY + ky - padTop;
          if (row < 0 || row >= height) continue; // the zeros of "same" padding
          for (let kx = 0; kx < kernelWidth; kx++) {
            const column = x * strideX + kx - padLeft;
            if (column < 0 || column >= width) continue;
            for (let channel = 0; channel < channels; channel++) {
              const pixel = input.data[(row * width + column) * channels + channel];
              const weight = ((ky * kernelWidth + kx) * channels + channel) * filters + filter;
              sum += pixel * layer.kernel.data[weight];
            }
          }
        }
        output[(y * outWidth + x) * filters + filter] = sum;
      }
    }
  }
  return activation({ shape: [outHeight, outWidth, filters], data: output }, layer);
}

// MaxPooling2D: each window keeps only its largest number, channel by channel.
function maxPooling2d(input, layer) {
  const [height, width, channels] = input.shape;
  const [poolHeight, poolWidth] = layer.poolSize;
  const [strideY, strideX] = layer.strides;
  const [outHeight, padTop] = outputSize(height, poolHeight, strideY, layer.padding);
  const [outWidth, padLeft] = outputSize(width, poolWidth, strideX, layer.padding);
  const output = new Float64Array(outHeight * outWidth * channels).fill(-Infinity);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      for (let py = 0; py < poolHeight; py++) {
        const row = y * strideY + py - padTop;
        if (row < 0 || row >= height) continue; // padding never wins a maximum
        for (let px = 0; px < poolWidth; px++) {
          const column = x * strideX + px - padLeft;
          if (column < 0 || column >= width) continue;
          for (let channel = 0; channel < channels; channel++) {
            const at = (y * outWidth + x) * channels + channel;
            const value = input.data[(row * width + column) * channels + channel];
            output[at] = Math.max(output[at], value);
          }
        }
      }
    }
  }
  return { shape: [outHeight, outWidth, channels], data: output };
}

// Flatten: the same numbers in the same order, now one long vector.
function flatten(input) {
  return { shape: [input.data.length], data: input.data };
}

// Dropout: while training it silences random units; when predicting it does nothing.
function dropout(input) {
  return input;
}

// BatchNormalization: when predicting, each channel is shifted and scaled by the mean and
// variance kept while training, then by the two numbers it learned (gamma and beta).
function batchNormalization(input, layer) {
  const channels = input.shape[input.shape.length - 1];
  const output = input.data.map((value, i) => {
    const channel = i % channels;
    const spread = Math.sqrt(layer.movingVariance.data[channel] + layer.epsilon);
    const normalized = (value - layer.movingMean.data[channel]) / spread;
    const [gamma, beta] = [layer.gamma?.data[channel] ?? 1, layer.beta?.data[channel] ?? 0];
    return gamma * normalized + beta;
  });
  return { shape: input.shape, data: output };
}

// Dense: every output is a weighted sum of all the inputs, plus its bias.
function dense(input, layer) {
  const [inputs, units] = layer.kernel.shape;
  const output = new Float64Array(units);
  for (let unit = 0; unit < units; unit++) {
    let sum = layer.bias ? layer.bias.data[unit] : 0;
    for (let i = 0; i < inputs; i++) sum += input.data[i] * layer.kernel.data[i * units + unit];
    output[unit] = sum;
  }
  return activation({ shape: [units], data: output }, layer);
}

// The activations: ReLU keeps what is positive; softmax turns ten scores into ten
// probabilities that add up to 1 (the largest is subtracted first: same result, no overflow).
function relu(input) {
  return { shape: input.shape, data: input.data.map((value) => Math.max(value, 0)) };
}
function softmax(input) {
  const largest = Math.max(...input.data);
  const exponentials = input.data.map((value) => Math.exp(value - largest));
  const total = exponentials.reduce((sum, value) => sum + value, 0);
  return { shape: input.shape, data: exponentials.map((value) => value / total) };
}
function activation(input, layer) {
  return { relu, softmax, linear: (tensor) => tensor }[layer.activation](input);
}

// The whole network: the 28x28 image through each layer in turn; the ten probabilities.
const LAYER_KINDS = {
  conv2d, maxPooling2d, flatten, dropout, batchNormalization, dense, activation,
};
function forward(model, image) {
  let tensor = { shape: model.inputShape, data: Float64Array.from(image) };
  for (const layer of model.layers) tensor = LAYER_KINDS[layer.kind](tensor, layer);
  return Array.from(tensor.data);
}
