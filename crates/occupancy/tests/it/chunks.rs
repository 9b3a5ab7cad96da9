//! The forest's chunks of trees fitted by another fitter (as a helper worker does), out of order,
//! carried as bytes and added in chunk order: the trained version is the one training alone gives,
//! byte for byte.

use campus_occupancy::forest::{ChunkFitter, FittedChunk, ForestFit};
use campus_occupancy::progress::without_hooks;
use campus_occupancy::train::Training;
use campus_occupancy::{ModelBundle, Stage};

use crate::common::{bundle, config, sessions};

/// Trains with the forest's chunks fitted from its job by `fit_all`, which gives them as bytes
/// in any order.
fn train_with_chunks_from(fit_all: impl Fn(&ChunkFitter) -> Vec<Vec<u8>>) -> ModelBundle {
    without_hooks(|hooks| {
        let mut training =
            Training::start(sessions(), &config(), "2026-11-22T12:00:00Z", hooks).unwrap();
        while training.stage() != Stage::Forest {
            assert!(training.step(hooks).unwrap().is_none());
        }
        let job = training.forest_job().expect("the forest stage has a job");
        // The job crosses to the other fitter as bytes, as it does between workers.
        let job = postcard::from_bytes(&postcard::to_allocvec(&job).unwrap()).unwrap();
        let fitter = ChunkFitter::new(&job).unwrap();
        let mut fitted: Vec<FittedChunk> = fit_all(&fitter)
            .iter()
            .map(|bytes| FittedChunk::from_bytes(bytes).unwrap())
            .collect();
        fitted.sort_by_key(|chunk| chunk.idx);
        for chunk in fitted {
            assert_eq!(training.stage(), Stage::Forest);
            training.accept_chunk(chunk, hooks).unwrap();
        }
        assert_eq!(
            training.stage(),
            Stage::Svm,
            "every chunk added ends the forest"
        );
        loop {
            if let Some(bundle) = training.step(hooks).unwrap() {
                return *bundle;
            }
        }
    })
}

#[test]
fn chunks_fitted_elsewhere_out_of_order_give_the_same_model_bytes() {
    let alone = bundle().to_bytes().unwrap();
    let reversed = train_with_chunks_from(|fitter| {
        (0..fitter.n_chunks())
            .rev()
            .map(|idx| fitter.fit(idx).unwrap().to_bytes().unwrap())
            .collect()
    });
    assert!(reversed.to_bytes().unwrap() == alone, "reversed chunks");
    // Two fitters (two workers), each fitting every other chunk.
    let two = train_with_chunks_from(|fitter| {
        let (even, odd): (Vec<usize>, Vec<usize>) =
            (0..fitter.n_chunks()).partition(|idx| idx % 2 == 0);
        odd.into_iter()
            .chain(even)
            .map(|idx| fitter.fit(idx).unwrap().to_bytes().unwrap())
            .collect()
    });
    assert!(two.to_bytes().unwrap() == alone, "two fitters");
}

#[test]
fn a_chunk_out_of_turn_is_refused() {
    let mut training = without_hooks(|hooks| {
        Training::start(sessions(), &config(), "2026-11-22T12:00:00Z", hooks).unwrap()
    });
    let job = without_hooks(|hooks| {
        while training.stage() != Stage::Forest {
            training.step(hooks).unwrap();
        }
        training.forest_job().unwrap()
    });
    let fitter = ChunkFitter::new(&job).unwrap();
    let mut fit = ForestFit::new(&job.matrix, &job.targets, &job.config).unwrap();
    assert!(
        fit.accept(fitter.fit(1).unwrap()).is_err(),
        "chunk 1 before chunk 0"
    );
    fit.accept(fitter.fit(0).unwrap()).unwrap();
    assert!(fit.accept(fitter.fit(0).unwrap()).is_err(), "chunk 0 twice");
    assert_eq!(fit.next_chunk(), 1);
    assert!(fitter.fit(fitter.n_chunks()).is_err(), "no such chunk");
    // A training refuses a chunk out of turn too, and one after the forest stage.
    without_hooks(|hooks| {
        assert!(
            training
                .accept_chunk(fitter.fit(1).unwrap(), hooks)
                .is_err()
        );
    });
    let mut training = without_hooks(|hooks| {
        let mut training =
            Training::start(sessions(), &config(), "2026-11-22T12:00:00Z", hooks).unwrap();
        while training.stage() != Stage::Forest {
            training.step(hooks).unwrap();
        }
        for idx in 0..fitter.n_chunks() {
            training
                .accept_chunk(fitter.fit(idx).unwrap(), hooks)
                .unwrap();
        }
        training
    });
    assert_eq!(training.stage(), Stage::Svm);
    let late = without_hooks(|hooks| training.accept_chunk(fitter.fit(0).unwrap(), hooks));
    assert!(late.is_err(), "no forest is being fitted any more");
}
