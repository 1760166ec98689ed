// The libtorrent session arrives with the swarm (issue 5).
namespace swarmcopy::peer {}
