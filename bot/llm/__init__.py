"""An OpenAI-compatible chat-completions client behind core's AI ports (PromptRefiner,
CandidateRescorer), with strict output parsing, caching, a daily budget, and the local
scorer as the fallback for every failure."""
