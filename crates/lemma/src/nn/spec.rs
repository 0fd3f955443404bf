//! Small-CNN architectures as data: the layer list, activation shapes and the flat parameter layout
//! that both backends (CPU in [`crate::nn`], WGSL in `crate::gpu`) share.
//!
//! All tensors are NCHW `f32`, contiguous. Parameters live in **one flat vector**: for each layer
//! with parameters, in order, its weight (conv `[out, in, 3, 3]`, linear `[out, in]`) then its bias
//! `[out]`. One vector makes the global gradient norm, SAM's perturbation and the optimiser a single
//! pass on either backend.

use crate::rng::Rng;
use std::ops::Range;

/// One layer of a sequential model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layer {
    /// Pixel normalisation inside the model: `x ↦ (x − 0.5) / 0.5`, so attacks and corruptions act
    /// on `[0, 1]` pixels.
    Normalize,
    /// 3×3 convolution, stride 1, zero padding 1, with bias.
    Conv3x3 {
        /// Input channels.
        inputs: usize,
        /// Output channels.
        outputs: usize,
    },
    /// Rectified linear unit.
    Relu,
    /// 2×2 max-pooling with stride 2 (height and width must be even).
    MaxPool2,
    /// Flattens `[C, H, W]` into `[C·H·W]` (a no-op on the data).
    Flatten,
    /// Fully connected layer `y = x Wᵀ + b`.
    Linear {
        /// Input features.
        inputs: usize,
        /// Output features.
        outputs: usize,
    },
}

/// Shape of one example's activation: `[channels, height, width]` (a flat vector has `h = w = 1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Channels (or features for flat vectors).
    pub channels: usize,
    /// Height.
    pub height: usize,
    /// Width.
    pub width: usize,
}

impl Shape {
    /// Number of values per example.
    pub fn len(&self) -> usize {
        self.channels * self.height * self.width
    }

    /// Whether the shape holds no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Where one layer's parameters sit in the flat parameter vector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamSlot {
    /// Index of the layer in [`Arch::layers`].
    pub layer: usize,
    /// Weight range (`[out, in, 3, 3]` or `[out, in]`).
    pub weight: Range<usize>,
    /// Bias range (`[out]`).
    pub bias: Range<usize>,
    /// Fan-in of one output unit (used by the initialisation).
    pub fan_in: usize,
}

/// A sequential classifier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arch {
    /// Short name (`cnn-s`, `cnn-m`, …).
    pub name: &'static str,
    /// Input shape of one example.
    pub input: Shape,
    /// The layers in order; the last one produces the class logits.
    pub layers: Vec<Layer>,
}

/// An architecture that cannot be built (shapes do not chain).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("layer {layer} ({kind}) cannot take an input of shape {input:?}: {reason}")]
pub struct ShapeError {
    /// Index of the offending layer.
    pub layer: usize,
    /// The layer's kind.
    pub kind: &'static str,
    /// The shape it was given.
    pub input: Shape,
    /// What is wrong.
    pub reason: &'static str,
}

impl Layer {
    /// A short name for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Layer::Normalize => "normalize",
            Layer::Conv3x3 { .. } => "conv3x3",
            Layer::Relu => "relu",
            Layer::MaxPool2 => "maxpool2",
            Layer::Flatten => "flatten",
            Layer::Linear { .. } => "linear",
        }
    }

    /// Output shape for one example, or why the input does not fit.
    pub fn output(&self, index: usize, input: Shape) -> Result<Shape, ShapeError> {
        let fail = |reason| ShapeError {
            layer: index,
            kind: self.kind(),
            input,
            reason,
        };
        match *self {
            Layer::Normalize | Layer::Relu => Ok(input),
            Layer::Conv3x3 { inputs, outputs } => {
                if input.channels != inputs {
                    return Err(fail("channel count differs from the layer's inputs"));
                }
                Ok(Shape {
                    channels: outputs,
                    ..input
                })
            }
            Layer::MaxPool2 => {
                if !input.height.is_multiple_of(2)
                    || !input.width.is_multiple_of(2)
                    || input.height == 0
                {
                    return Err(fail("height and width must be even and positive"));
                }
                Ok(Shape {
                    channels: input.channels,
                    height: input.height / 2,
                    width: input.width / 2,
                })
            }
            Layer::Flatten => Ok(Shape {
                channels: input.len(),
                height: 1,
                width: 1,
            }),
            Layer::Linear { inputs, outputs } => {
                if input.height != 1 || input.width != 1 || input.channels != inputs {
                    return Err(fail("a linear layer needs a flat input of its input size"));
                }
                Ok(Shape {
                    channels: outputs,
                    height: 1,
                    width: 1,
                })
            }
        }
    }
}

impl Arch {
    /// CNN-S (`common.md` §11): conv 1→16, pool, conv 16→32, pool, FC 1568→64, FC 64→10.
    pub fn cnn_s() -> Self {
        Self::two_conv("cnn-s", 16, 32, 64)
    }

    /// CNN-M (`common.md` §11): conv 1→32, pool, conv 32→64, pool, FC 3136→128, FC 128→10.
    pub fn cnn_m() -> Self {
        Self::two_conv("cnn-m", 32, 64, 128)
    }

    /// The CNN-S/M family on 1×28×28 inputs with 10 classes.
    pub fn two_conv(name: &'static str, c1: usize, c2: usize, hidden: usize) -> Self {
        let layers = vec![
            Layer::Normalize,
            Layer::Conv3x3 {
                inputs: 1,
                outputs: c1,
            },
            Layer::Relu,
            Layer::MaxPool2,
            Layer::Conv3x3 {
                inputs: c1,
                outputs: c2,
            },
            Layer::Relu,
            Layer::MaxPool2,
            Layer::Flatten,
            Layer::Linear {
                inputs: c2 * 7 * 7,
                outputs: hidden,
            },
            Layer::Relu,
            Layer::Linear {
                inputs: hidden,
                outputs: 10,
            },
        ];
        Self {
            name,
            input: Shape {
                channels: 1,
                height: 28,
                width: 28,
            },
            layers,
        }
    }

    /// The architecture by name (`cnn-s`, `cnn-m`).
    pub fn by_name(name: &str) -> Option<Self> {
        match name {
            "cnn-s" => Some(Self::cnn_s()),
            "cnn-m" => Some(Self::cnn_m()),
            _ => None,
        }
    }

    /// Per-example shapes: `shapes()[0]` is the input, `shapes()[i + 1]` the output of layer `i`.
    pub fn shapes(&self) -> Result<Vec<Shape>, ShapeError> {
        let mut shapes = vec![self.input];
        for (i, layer) in self.layers.iter().enumerate() {
            let next = layer.output(i, *shapes.last().expect("starts non-empty"))?;
            shapes.push(next);
        }
        Ok(shapes)
    }

    /// Number of classes (the last layer's output size).
    pub fn classes(&self) -> usize {
        self.shapes()
            .map(|s| s.last().map_or(0, Shape::len))
            .unwrap_or(0)
    }

    /// The flat parameter layout (weights then bias, layer by layer).
    pub fn param_slots(&self) -> Vec<ParamSlot> {
        let mut slots = Vec::new();
        let mut at = 0;
        for (i, layer) in self.layers.iter().enumerate() {
            let (weights, outputs, fan_in) = match *layer {
                Layer::Conv3x3 { inputs, outputs } => (outputs * inputs * 9, outputs, inputs * 9),
                Layer::Linear { inputs, outputs } => (outputs * inputs, outputs, inputs),
                _ => continue,
            };
            slots.push(ParamSlot {
                layer: i,
                weight: at..at + weights,
                bias: at + weights..at + weights + outputs,
                fan_in,
            });
            at += weights + outputs;
        }
        slots
    }

    /// Total number of parameters.
    pub fn param_count(&self) -> usize {
        self.param_slots().last().map_or(0, |s| s.bias.end)
    }

    /// He (Kaiming) normal initialisation, `w ~ N(0, 2 / fan_in)`, zero biases; the last layer uses
    /// `N(0, 1 / fan_in)`. Drawn from `Rng::stream(seed, 0x1417)` in layout order, in `f64` and then
    /// rounded, so it is the same on every platform.
    pub fn init_params(&self, seed: u64) -> Vec<f32> {
        let mut rng = Rng::stream(seed, 0x1417);
        let slots = self.param_slots();
        let mut params = vec![0f32; self.param_count()];
        for (k, slot) in slots.iter().enumerate() {
            let gain = if k + 1 == slots.len() { 1.0 } else { 2.0 };
            let std = (gain / slot.fan_in as f64).sqrt();
            for w in &mut params[slot.weight.clone()] {
                *w = (std * rng.normal()) as f32;
            }
        }
        params
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_counts_match_the_spec() {
        // common.md §11: CNN-M ≈ 421.6k, CNN-S ≈ 106k parameters.
        assert_eq!(Arch::cnn_m().param_count(), 320 + 18_496 + 401_536 + 1_290);
        assert_eq!(Arch::cnn_m().param_count(), 421_642);
        assert_eq!(Arch::cnn_s().param_count(), 160 + 4_640 + 100_416 + 650);
        assert_eq!(Arch::cnn_s().classes(), 10);
    }

    #[test]
    fn shapes_chain_and_bad_ones_are_named() {
        let shapes = Arch::cnn_s().shapes().unwrap();
        assert_eq!(
            shapes[4],
            Shape {
                channels: 16,
                height: 14,
                width: 14
            }
        );
        assert_eq!(
            shapes[8],
            Shape {
                channels: 1568,
                height: 1,
                width: 1
            }
        );
        let mut bad = Arch::cnn_s();
        bad.layers[4] = Layer::Conv3x3 {
            inputs: 3,
            outputs: 8,
        };
        let err = bad.shapes().unwrap_err();
        assert_eq!(err.layer, 4);
        assert!(err.to_string().contains("conv3x3"));
    }

    #[test]
    fn init_is_seeded_and_scaled() {
        let arch = Arch::cnn_s();
        let a = arch.init_params(3);
        assert_eq!(a, arch.init_params(3));
        assert_ne!(a, arch.init_params(4));
        let first = &arch.param_slots()[0];
        let var: f64 = a[first.weight.clone()]
            .iter()
            .map(|&w| f64::from(w).powi(2))
            .sum::<f64>()
            / first.weight.len() as f64;
        assert!((var - 2.0 / 9.0).abs() < 0.08, "variance {var}");
        assert!(a[first.bias.clone()].iter().all(|&b| b == 0.0));
    }
}
