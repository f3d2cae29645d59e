// Small job requests for the fault tests and the load script.

/** Iris, 4-8-3, one epoch of 12 steps: a job that costs next to nothing. */
export const tinyJob = (seed = 0) => ({
  model: { layers: [{ type: "Linear", in_features: 4, out_features: 8 }, { type: "ReLU" }, { type: "Linear", in_features: 8, out_features: 3 }] },
  dataset: { name: "iris" },
  loss: { type: "CrossEntropyLoss" },
  optimizer: { type: "SGD", lr: 0.05 },
  epochs: 1,
  batch_size: 10,
  seed,
  validation_split: 0.2,
});

/** Iris at batch 2 for many epochs (60 steps each): thousands of small steps, checkpointed often. */
export const longIrisJob = (epochs: number) => ({
  ...tinyJob(3),
  optimizer: { type: "Adam", lr: 0.005 },
  lr_scheduler: { type: "StepLR", step_size: 5, gamma: 0.8 },
  epochs,
  batch_size: 2,
  checkpoint_every_steps: 40,
});
