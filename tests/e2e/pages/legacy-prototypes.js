/* What old page libraries did, and some pages still do: helpers added to the built-in prototypes
   by plain assignment, so they are enumerable and show up in every for...in loop. The toJSON is
   the one that made JSON.stringify([1, 2]) return the string "[1, 2]". */
Array.prototype.first = function () {
  return this[0];
};
Array.prototype.remove = function (item) {
  var index = this.indexOf(item);
  if (index >= 0) this.splice(index, 1);
  return this;
};
Array.prototype.toJSON = function () {
  return "[" + this.join(", ") + "]";
};
Object.prototype.extend = function (source) {
  for (var key in source) this[key] = source[key];
  return this;
};
Object.prototype.isEmpty = function () {
  for (var key in this) if (Object.prototype.hasOwnProperty.call(this, key)) return false;
  return true;
};
