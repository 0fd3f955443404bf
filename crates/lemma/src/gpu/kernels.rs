//! The WGSL sources (one file per op family in `gpu/kernels/`, loaded with `include_str!`) and
//! their entry points. Each entry point's binding convention is documented in its file; the
//! helpers they share live in `kernels/common.wgsl`, which [`module_source`] prepends.

/// The helpers every kernel file may use (WGSL has no includes).
pub(crate) const PRELUDE: &str = include_str!("kernels/common.wgsl");

/// A kernel file's complete module source: [`PRELUDE`] followed by the file.
pub(crate) fn module_source(file_source: &str) -> String {
    format!("{PRELUDE}\n{file_source}")
}

/// Every WGSL kernel file (all but the prelude), by file name.
pub const SOURCES: &[(&str, &str)] = &[
    ("conv.wgsl", include_str!("kernels/conv.wgsl")),
    ("linear.wgsl", include_str!("kernels/linear.wgsl")),
    ("split_sum.wgsl", include_str!("kernels/split_sum.wgsl")),
    ("relu.wgsl", include_str!("kernels/relu.wgsl")),
    ("maxpool.wgsl", include_str!("kernels/maxpool.wgsl")),
    ("normalize.wgsl", include_str!("kernels/normalize.wgsl")),
    (
        "softmax_xent.wgsl",
        include_str!("kernels/softmax_xent.wgsl"),
    ),
    ("sum_squares.wgsl", include_str!("kernels/sum_squares.wgsl")),
    ("sgd.wgsl", include_str!("kernels/sgd.wgsl")),
    ("sam.wgsl", include_str!("kernels/sam.wgsl")),
    ("pgd.wgsl", include_str!("kernels/pgd.wgsl")),
];

/// One compute entry point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(missing_docs)] // the names say it; semantics are in the WGSL files and their twins
pub enum Kernel {
    ConvForward,
    ConvBackwardData,
    ConvBackwardWeight,
    LinearForward,
    LinearBackwardData,
    LinearBackwardWeight,
    SplitSum,
    ReluForward,
    ReluBackward,
    MaxPoolForward,
    MaxPoolBackward,
    NormalizeForward,
    NormalizeBackward,
    SoftmaxXent,
    AddTotals,
    SumSquaresPartial,
    SumSquaresFinish,
    Sgd,
    SamPerturb,
    SamRestore,
    Accumulate,
    PgdLinf,
    PgdL2,
    PgdApply,
}

impl Kernel {
    /// Every entry point, in the order the pipelines are stored.
    pub const ALL: [Kernel; 24] = [
        Kernel::ConvForward,
        Kernel::ConvBackwardData,
        Kernel::ConvBackwardWeight,
        Kernel::LinearForward,
        Kernel::LinearBackwardData,
        Kernel::LinearBackwardWeight,
        Kernel::SplitSum,
        Kernel::ReluForward,
        Kernel::ReluBackward,
        Kernel::MaxPoolForward,
        Kernel::MaxPoolBackward,
        Kernel::NormalizeForward,
        Kernel::NormalizeBackward,
        Kernel::SoftmaxXent,
        Kernel::AddTotals,
        Kernel::SumSquaresPartial,
        Kernel::SumSquaresFinish,
        Kernel::Sgd,
        Kernel::SamPerturb,
        Kernel::SamRestore,
        Kernel::Accumulate,
        Kernel::PgdLinf,
        Kernel::PgdL2,
        Kernel::PgdApply,
    ];

    /// The WGSL file that defines it.
    pub fn file(self) -> &'static str {
        use Kernel::*;
        match self {
            ConvForward | ConvBackwardData | ConvBackwardWeight => "conv.wgsl",
            LinearForward | LinearBackwardData | LinearBackwardWeight => "linear.wgsl",
            SplitSum => "split_sum.wgsl",
            ReluForward | ReluBackward => "relu.wgsl",
            MaxPoolForward | MaxPoolBackward => "maxpool.wgsl",
            NormalizeForward | NormalizeBackward => "normalize.wgsl",
            SoftmaxXent | AddTotals => "softmax_xent.wgsl",
            SumSquaresPartial | SumSquaresFinish => "sum_squares.wgsl",
            Sgd => "sgd.wgsl",
            SamPerturb | SamRestore | Accumulate => "sam.wgsl",
            PgdLinf | PgdL2 | PgdApply => "pgd.wgsl",
        }
    }

    /// The entry point's name in its file.
    pub fn entry(self) -> &'static str {
        use Kernel::*;
        match self {
            ConvForward | LinearForward | ReluForward | MaxPoolForward | NormalizeForward => {
                "forward"
            }
            ConvBackwardData | LinearBackwardData => "backward_data",
            ConvBackwardWeight | LinearBackwardWeight => "backward_weight",
            SplitSum => "finish",
            ReluBackward | MaxPoolBackward | NormalizeBackward => "backward",
            SoftmaxXent => "forward_backward",
            AddTotals => "add_totals",
            SumSquaresPartial => "partial",
            SumSquaresFinish => "finish",
            Sgd => "update",
            SamPerturb => "perturb",
            SamRestore => "restore",
            Accumulate => "accumulate",
            PgdLinf => "linf",
            PgdL2 => "l2",
            PgdApply => "apply",
        }
    }
}

/// Outputs per side of the block one workgroup of a tiled matrix product computes (`TILE` in
/// `common.wgsl`).
pub const TILE: usize = 32;

/// The most workgroups a dispatch may have along one dimension (WebGPU's default limit).
pub const MAX_GROUPS_PER_DIMENSION: usize = 65_535;

/// Workgroups of the first sum-of-squares stage (`GROUPS` in `sum_squares.wgsl`).
pub const SUM_SQUARES_GROUPS: u32 = 256;

/// One compiled pipeline per [`Kernel`], in [`Kernel::ALL`] order.
pub(crate) struct Pipelines(Vec<wgpu::ComputePipeline>);

impl Pipelines {
    pub(crate) fn new(device: &wgpu::Device) -> Self {
        let modules: Vec<(&str, wgpu::ShaderModule)> = SOURCES
            .iter()
            .map(|&(file, source)| {
                let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
                    label: Some(file),
                    source: wgpu::ShaderSource::Wgsl(module_source(source).into()),
                });
                (file, module)
            })
            .collect();
        let pipelines = Kernel::ALL
            .iter()
            .map(|kernel| {
                let module = modules
                    .iter()
                    .find(|(file, _)| *file == kernel.file())
                    .map(|(_, m)| m)
                    .expect("every kernel's file is in SOURCES (checked by a test)");
                device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(kernel.entry()),
                    layout: None,
                    module,
                    entry_point: Some(kernel.entry()),
                    compilation_options: Default::default(),
                    cache: None,
                })
            })
            .collect();
        Self(pipelines)
    }

    pub(crate) fn get(&self, kernel: Kernel) -> &wgpu::ComputePipeline {
        &self.0[kernel as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses and validates every `.wgsl` file in `gpu/kernels/` (read from disk, so a new file
    /// cannot be missed) with the prelude prepended, and checks that each one is compiled in and
    /// every entry point exists.
    #[test]
    fn every_wgsl_file_validates() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/gpu/kernels");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "wgsl"))
            .filter(|p| !p.ends_with("common.wgsl"))
            .collect();
        files.sort();
        assert_eq!(files.len(), SOURCES.len(), "{files:?} vs SOURCES");
        let prelude = std::fs::read_to_string(format!("{dir}/common.wgsl")).unwrap();
        assert_eq!(
            PRELUDE, prelude,
            "common.wgsl differs from the compiled-in copy"
        );
        for path in files {
            let name = path.file_name().unwrap().to_str().unwrap();
            let source = std::fs::read_to_string(&path).unwrap();
            let (_, compiled) = SOURCES
                .iter()
                .find(|(file, _)| *file == name)
                .unwrap_or_else(|| panic!("{name} is not in SOURCES"));
            assert_eq!(
                *compiled, source,
                "{name} differs from the compiled-in copy"
            );
            let source = module_source(&source);
            let module = naga::front::wgsl::parse_str(&source)
                .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(&source)));
            naga::valid::Validator::new(
                naga::valid::ValidationFlags::all(),
                naga::valid::Capabilities::default(),
            )
            .validate(&module)
            .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(&source)));
            for kernel in Kernel::ALL.iter().filter(|k| k.file() == name) {
                assert!(
                    module.entry_points.iter().any(|e| e.name == kernel.entry()),
                    "{name} has no entry point {}",
                    kernel.entry()
                );
            }
        }
        for (i, kernel) in Kernel::ALL.iter().enumerate() {
            assert_eq!(*kernel as usize, i);
        }
    }
}
