// Stands in for optional packages the bundle never loads (Ink's devtools client).
export default undefined;
