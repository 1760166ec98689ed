// The content cache arrives with the swarm (issue 5).
namespace swarmcopy::cache {}
