/// The engine's name for the run's settings, until the uses inside Pipeline/ are renamed:
/// everything `ImportRun` reads is a field of `RunOptions`, resolved and checked in Config/.
public typealias ImportConfiguration = RunOptions
