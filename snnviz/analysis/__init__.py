"""Analysis of trained models: embeddings, hypersphere metrics, projections, disk cache."""
