//! The dictionary attack recovers every unkeyed hash and none of the keyed ones.

use campus_etl::attack::{AttackOptions, DictionaryAttack};
use campus_etl::{EtlOptions, HashMode};

use super::support::run_fixture;

#[test]
fn unkeyed_hashes_fall_keyed_ones_hold() {
    let (etl, _) = run_fixture(0, EtlOptions::default());
    let mut attack = DictionaryAttack::new(&etl, &AttackOptions::default());
    // Stepping in small budgets gives the same result as one run.
    let first = attack.step(1000);
    assert_eq!(first.n_tried, 1000);
    let progress = attack.run();
    assert!(progress.done());
    assert_eq!(progress.n_targets, 48);
    assert_eq!(progress.n_recovered, 48);
    // 8 prefixes (2 colleges × 4 programmes), 6 roll numbers each, 4 birth years of days.
    assert_eq!(progress.n_candidates, 8 * 6 * 1461);
    assert!(
        attack
            .recovered_examples()
            .iter()
            .any(|s| s == "AKTU001-AKTU001-CSE-2023-1001-2004-08-09")
    );

    // A cap bounds the work whatever roll numbers the data claims.
    let capped = DictionaryAttack::new(
        &etl,
        &AttackOptions {
            max_candidates: 5000,
            ..AttackOptions::default()
        },
    )
    .run();
    assert_eq!((capped.n_tried, capped.n_candidates), (5000, 5000));

    let keyed = EtlOptions {
        hash: HashMode::Keyed {
            secret: b"a long class secret".to_vec(),
        },
        ..EtlOptions::default()
    };
    let (etl, _) = run_fixture(0, keyed);
    let progress = DictionaryAttack::new(&etl, &AttackOptions::default()).run();
    assert_eq!(progress.n_recovered, 0);
}
